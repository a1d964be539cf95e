/**
 * The RNBD 2.0 messages, carried as the RTRS user header: immutable records, the enums of their fields, and
 * {@link dev.rtrs.block.protocol.RnbdCodec}, which puts them into and takes them out of a buffer at the byte
 * offsets of the Linux kernel's {@code rnbd-proto.h}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.rtrs.block.protocol;
