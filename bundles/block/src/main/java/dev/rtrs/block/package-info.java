/**
 * Block devices over RTRS: what a mapped device offers ({@link dev.rtrs.block.BlockDevice}) and what an export
 * is stored on ({@link dev.rtrs.block.BlockBackend}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.rtrs.block;
