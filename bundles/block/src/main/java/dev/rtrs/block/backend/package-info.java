/**
 * Help for writing a {@link dev.rtrs.block.BlockBackend}: a device base class that enforces the
 * {@link dev.rtrs.block.BlockDevice} contract (alignment, range, read-only, closed), a backend base class for the
 * lifecycle every backend shares (open devices while active, close them when stopped), and parsing of the
 * parameters every backend shares.
 *
 * <p>1.1: {@link dev.rtrs.block.backend.AbstractBlockBackend}.
 *
 * <p>1.2: {@link dev.rtrs.block.backend.AbstractBlockDevice} checks {@code blockStatus} like the other operations
 * and leaves the answer to {@code doBlockStatus}, by default allocated data.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.rtrs.block.backend;
