/**
 * The verbs provider on RDMA NICs through DiSNI, for plain-Java use: {@code new DisniVerbsProvider(options)} starts
 * one, {@code close()} ends it (the verbs conformance suite on RDMA hardware does so). Inside the appliance the same
 * provider is a Declarative Services component registered as a {@link dev.rtrs.verbs.VerbsProvider} with
 * {@code rtrs.provider=disni}, configured by the PID {@code dev.rtrs.verbs.disni.DisniVerbsProvider}, and only where
 * libdisni loads and an RDMA device exists.
 *
 * <p>2.0: {@link dev.rtrs.verbs.disni.DisniVerbsProvider} replaces {@code DisniVerbs.open} and
 * {@code DisniProvider}, as {@code TcpVerbsProvider} does for the tcp provider.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.rtrs.verbs.disni;
