/** Logging the transport's bundles share: warnings that a misbehaving peer cannot turn into a flood. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.rtrs.transport.log;
