/**
 * The RTRS transport: client sessions that read and write IO blocks on a server over one or more paths,
 * the server side that handles them, and the plug-in points of the transport (multipath policies, the heartbeat monitor).
 *
 * <p>Vocabulary: a <em>session</em> is what a client opens to a server; it has one or more <em>paths</em>
 * (links between a client and a server address), each of several <em>connections</em>. The server keeps
 * <em>queue depth</em> memory <em>chunks</em> per session; a client <em>permit</em> is the right to use one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package dev.rtrs.transport;
