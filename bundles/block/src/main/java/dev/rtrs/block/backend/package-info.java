/**
 * Help for writing a {@link dev.rtrs.block.BlockBackend}: a device base class that enforces the
 * {@link dev.rtrs.block.BlockDevice} contract (alignment, range, read-only, closed), and parsing of the
 * parameters every backend shares.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.rtrs.block.backend;
