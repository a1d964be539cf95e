/**
 * The DiSNI verbs provider's plain-Java entry: {@link dev.rtrs.verbs.disni.DisniVerbs#open} starts the provider
 * without OSGi (the verbs conformance suite on RDMA hardware uses it). Inside the appliance the provider is a
 * Declarative Services component registered as a {@link dev.rtrs.verbs.VerbsProvider} with
 * {@code provider=disni}, and only where libdisni loads and an RDMA device exists.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.rtrs.verbs.disni;
