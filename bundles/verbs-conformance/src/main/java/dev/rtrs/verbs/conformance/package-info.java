/**
 * The verbs conformance suite: abstract JUnit 5 test classes written once against the verbs API and run against
 * every provider. A provider's test module extends each class and implements
 * {@link dev.rtrs.verbs.conformance.VerbsConformanceSupport#createProvider()}; tests needing an optional verb
 * are skipped where the device lacks it, and fault-injection tests where the provider cannot inject faults.
 *
 * <p>Addresses: {@code 127.0.0.1} and {@code ::1} unless the system properties
 * {@value dev.rtrs.verbs.conformance.VerbsConformanceSupport#ADDRESS_PROPERTY} and
 * {@value dev.rtrs.verbs.conformance.VerbsConformanceSupport#IPV6_ADDRESS_PROPERTY} name others (an RDMA
 * interface's addresses for a run on hardware).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.rtrs.verbs.conformance;
