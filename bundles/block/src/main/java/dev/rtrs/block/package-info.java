/**
 * Block devices over RTRS: what a mapped device offers ({@link dev.rtrs.block.BlockDevice}) and what an export
 * is stored on ({@link dev.rtrs.block.BlockBackend}).
 *
 * <p>2.0: {@link dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo} gives the access mode as the protocol's
 * {@code AccessMode} and the state as a {@link dev.rtrs.block.RnbdClientAdmin.MappedDeviceState}, no longer as text.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.rtrs.block;
