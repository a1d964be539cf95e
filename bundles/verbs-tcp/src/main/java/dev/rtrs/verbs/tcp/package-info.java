/**
 * The software RDMA verbs provider over TCP, for plain-Java use: {@code new TcpVerbsProvider(options)} starts
 * one, {@code close()} ends it. Inside the appliance the same provider is a Declarative Services component
 * registered as a {@link dev.rtrs.verbs.VerbsProvider} with {@code provider=tcp}, configured by the PID
 * {@code dev.rtrs.verbs.tcp.TcpVerbsProvider}.
 *
 * <p>Each connected queue pair is one TCP connection; the provider behaves like a reliable-connected queue pair
 * on a NIC (see {@link dev.rtrs.verbs.tcp.TcpVerbsProvider}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.rtrs.verbs.tcp;
