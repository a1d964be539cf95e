/**
 * The RTRS transport: client sessions that read and write IO blocks on a server over one or more paths,
 * the server side that handles them, and the plug-in points of the transport (multipath policies, the heartbeat monitor).
 *
 * <p>Vocabulary: a <em>session</em> is what a client opens to a server; it has one or more <em>paths</em>
 * (links between a client and a server address), each of several <em>connections</em>. The server keeps
 * <em>queue depth</em> memory <em>chunks</em> per session; a client <em>permit</em> is the right to use one.
 *
 * <p>3.0 also: a {@link dev.rtrs.transport.ClientSession} adds, removes, disconnects and reconnects paths and
 * changes its reconnect attempts while it runs, as the kernel's sysfs does.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.1.0")
package dev.rtrs.transport;
