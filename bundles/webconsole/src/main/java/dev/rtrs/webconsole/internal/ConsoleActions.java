package dev.rtrs.webconsole.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The page's actions, from a POST's parameters: {@code set-policy} (a client session's multipath policy) and
 * {@code close-path} (one path of a server session; the client reconnects it). Every parameter is checked before
 * anything is changed: a wrong one gets a 400 with a message naming it. The form token is checked before this, by
 * the servlet.
 */
final class ConsoleActions {

    static final String ACTION = "action";
    static final String SET_POLICY = "set-policy";
    static final String CLOSE_PATH = "close-path";
    static final String SESSION = "session";
    static final String POLICY = "policy";
    static final String PATH = "path";

    private static final int MAX_LENGTH = 255;
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final AdminServices services;

    ConsoleActions(AdminServices services) {
        this.services = services;
    }

    /** Performs the action the parameters name. Called on a request thread; may block while a configuration is stored. */
    ActionResult perform(Map<String, String[]> parameters) {
        try {
            String action = parameter(parameters, ACTION);
            return switch (action) {
                case SET_POLICY -> setPolicy(parameter(parameters, SESSION), parameter(parameters, POLICY));
                case CLOSE_PATH -> closePath(parameter(parameters, SESSION), parameter(parameters, PATH));
                default ->
                    ActionResult.badRequest(
                            "unknown action '" + action + "' (known: " + SET_POLICY + ", " + CLOSE_PATH + ")");
            };
        } catch (BadParameter e) {
            return ActionResult.badRequest(e.getMessage());
        }
    }

    private ActionResult setPolicy(String sessionName, String policyName) {
        Optional<RtrsAdmin> transport = services.transport();
        if (transport.isEmpty()) {
            return ActionResult.unavailable(Section.TRANSPORT);
        }
        Optional<ClientSession> session = transport.get().clientSessions().stream()
                .filter(s -> s.name().equals(sessionName))
                .findFirst();
        if (session.isEmpty()) {
            return ActionResult.badRequest("no client session named '" + sessionName + "'");
        }
        Optional<String> policy = transport.get().policyName(policyName);
        if (policy.isEmpty()) {
            return ActionResult.badRequest("no multipath policy named '" + policyName + "' is installed (installed: "
                    + String.join(", ", transport.get().policies().keySet()) + ")");
        }
        // a session that carries mapped devices keeps its policy in their configuration, so that it survives a restart
        Optional<RnbdClientAdmin> client =
                services.client().filter(c -> c.devices().stream().anyMatch(d -> sessionName.equals(d.session())));
        List<String> kept = List.of();
        if (client.isPresent()) {
            try {
                kept = client.get().setPolicy(sessionName, policy.get());
            } catch (BlockException e) {
                return ActionResult.failed(
                        "the policy of session '" + sessionName + "' was not changed: " + e.getMessage());
            }
        } else {
            session.get().setPolicy(policy.get());
        }
        return ActionResult.done("Session " + sessionName + " uses " + policy.get()
                + (kept.isEmpty()
                        ? " (until it closes)"
                        : " (kept in the configuration of " + String.join(", ", kept) + ")"));
    }

    private ActionResult closePath(String sessionName, String pathText) {
        if (!UUID_TEXT.matcher(pathText).matches()) {
            return ActionResult.badRequest("path '" + pathText + "' is not a path uuid");
        }
        UUID path = UUID.fromString(pathText);
        Optional<RtrsAdmin> transport = services.transport();
        if (transport.isEmpty()) {
            return ActionResult.unavailable(Section.TRANSPORT);
        }
        List<ServerSession> sessions = new ArrayList<>();
        for (ServerEndpoint server : transport.get().servers()) {
            server.session(sessionName).ifPresent(sessions::add);
        }
        if (sessions.isEmpty()) {
            return ActionResult.badRequest("no server session named '" + sessionName + "'");
        }
        for (ServerSession s : sessions) {
            if (s.closePath(path)) {
                return ActionResult.done(
                        "Closed path " + path + " of server session " + sessionName + "; its client reconnects it");
            }
        }
        return ActionResult.badRequest("server session '" + sessionName + "' has no path " + path);
    }

    /** A parameter given exactly once, not blank, short, and without control characters. */
    private static String parameter(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        if (values == null || values.length == 0) {
            throw new BadParameter("missing parameter '" + name + "'");
        }
        if (values.length > 1) {
            throw new BadParameter("parameter '" + name + "' given " + values.length + " times");
        }
        String value = values[0];
        if (value.isBlank()) {
            throw new BadParameter("parameter '" + name + "' is empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new BadParameter("parameter '" + name + "' is longer than " + MAX_LENGTH + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new BadParameter("parameter '" + name + "' contains control characters");
        }
        return value;
    }

    /** A wrong parameter; its message names it. */
    private static final class BadParameter extends RuntimeException {

        private static final long serialVersionUID = 1L;

        BadParameter(String message) {
            super(message, null, false, false);
        }
    }
}
