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
 */
record ExportDefinition(
        String name, String backend, Map<String, String> parameters, boolean readOnly, Set<String> allowedSessions) {

    ExportDefinition {
        parameters = Map.copyOf(parameters);
        allowedSessions = Set.copyOf(allowedSessions);
    }
}
