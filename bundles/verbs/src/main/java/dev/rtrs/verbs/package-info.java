/**
 * A small, provider-neutral RDMA verbs API shaped after ibverbs and the RDMA connection manager.
 *
 * <p>A {@link dev.rtrs.verbs.VerbsProvider} service (one per provider bundle, told apart by its
 * {@value dev.rtrs.verbs.VerbsProvider#PROVIDER} service property) gives access to devices and to
 * connection-manager identifiers. Work requests and completions are mutable, reusable objects so that
 * the IO path allocates nothing in steady state.
 *
 * <p>Threading: connection-manager events are delivered on a provider thread, one at a time per
 * {@link dev.rtrs.verbs.CmId}. Every operation of this API is non-blocking and may be called from an
 * event handler or a completion listener; none of them waits for an event to be delivered.
 *
 * <p>3.0: {@code Errno} moved to {@code dev.rtrs.errno}, so that users of the transport and block APIs need not
 * import this package.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.0.0")
package dev.rtrs.verbs;
