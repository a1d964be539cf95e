package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.transport.RtrsServer;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.TransportException;
import java.util.Map;
import java.util.Set;

/**
 * The RNBD server without OSGi, for the benchmark programs: one backend and one export, served with the given RTRS
 * options. It lives in the server's own package because the server's core is not an exported API; on a plain
 * class path the bench reaches it as the module's own tests do.
 */
public final class StandaloneRnbdServer {

    /** The block layer's share of a chunk is the chunk less room for the RNBD and RTRS headers, as in the appliance. */
    private static final int HEADER_ROOM = 4096;

    private StandaloneRnbdServer() {}

    /**
     * Listens and serves one export. The caller closes the returned endpoint and deactivates the backend.
     *
     * @param parameters the backend's export parameters, e.g. {@code size=256M} for a memory export
     */
    public static ServerEndpoint listen(
            RtrsServer rtrs, ServerOptions options, BlockBackend backend, String export, Map<String, String> parameters)
            throws TransportException {
        ExportRegistry registry = new ExportRegistry("/srv/rnbd");
        registry.addBackend(backend);
        registry.addDefinition(new ExportDefinition(export, backend.type(), parameters, false, Set.of()));
        RnbdServerCore core = new RnbdServerCore(registry, options.chunkSize() - HEADER_ROOM);
        return rtrs.listen(options, core, core);
    }
}
