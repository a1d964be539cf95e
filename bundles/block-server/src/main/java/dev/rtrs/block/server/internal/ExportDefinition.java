package dev.rtrs.block.server.internal;

import java.util.Map;
import java.util.Set;

/**
 * An export as an operator configured it (or as a device path under the search path implies it).
 *
 * @param name            the name clients open it by
 * @param backend         backend type, e.g. {@code memory} or {@code file}
 * @param parameters      backend parameters
 * @param readOnly        clients may only open it RO
 * @param allowedSessions session names that may open it; empty for any
 * @param allowedClients  client addresses whose sessions may open it (every path of the session must come from one)
 */
record ExportDefinition(
        String name,
        String backend,
        Map<String, String> parameters,
        boolean readOnly,
        Set<String> allowedSessions,
        ClientRanges allowedClients) {

    ExportDefinition {
        parameters = Map.copyOf(parameters);
        allowedSessions = Set.copyOf(allowedSessions);
    }

    /** An export any client address may open. */
    ExportDefinition(
            String name,
            String backend,
            Map<String, String> parameters,
            boolean readOnly,
            Set<String> allowedSessions) {
        this(name, backend, parameters, readOnly, allowedSessions, ClientRanges.ANY);
    }

    ExportDefinition withAllowedClients(ClientRanges ranges) {
        return new ExportDefinition(name, backend, parameters, readOnly, allowedSessions, ranges);
    }
}
