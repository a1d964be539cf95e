/**
 * The RTRS implementation for plain Java use ({@link dev.rtrs.transport.core.RtrsTransport}); in Karaf it is
 * reached through the {@code dev.rtrs.transport} services instead.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.rtrs.transport.core;
