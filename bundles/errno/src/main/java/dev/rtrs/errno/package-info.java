/**
 * The Linux errno values shared by the verbs, transport and block layers, in a package of their own so that a user
 * of the block or transport API needs no RDMA verbs API to read an error.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.rtrs.errno;
