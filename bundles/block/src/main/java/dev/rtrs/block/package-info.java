/**
 * Block devices over RTRS: what a mapped device offers ({@link dev.rtrs.block.BlockDevice}) and what an export
 * is stored on ({@link dev.rtrs.block.BlockBackend}).
 *
 * <p>2.0: {@link dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo} gives the access mode as the protocol's
 * {@code AccessMode} and the state as a {@link dev.rtrs.block.RnbdClientAdmin.MappedDeviceState}, no longer as text.
 *
 * <p>2.1: {@link dev.rtrs.block.RnbdClientAdmin} unmaps normally or by force, remaps, resizes, tells a device's NBD URI
 * and users, and changes the paths and reconnect attempts of its sessions, as the kernel's rnbd-client and
 * rtrs-client sysfs do.
 *
 * <p>3.0: {@link dev.rtrs.block.RnbdServerAdmin.ExportInfo} tells an export's size and allowed clients, and
 * {@link dev.rtrs.block.RnbdServerAdmin.ExportRequest} sets the allowed clients (record components: new constructors).
 *
 * <p>3.1: {@link dev.rtrs.block.BlockDevice#blockStatus} tells allocated extents from holes and zeroes, through a
 * {@link dev.rtrs.block.BlockStatusReceiver}; its default reports everything as allocated data.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.1.0")
package dev.rtrs.block;
