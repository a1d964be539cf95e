package dev.rtrs.webconsole.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The page's actions, from a POST's parameters: {@code set-policy} (a client session's multipath policy),
 * {@code close-path} (one path of a server session; the client reconnects it), and {@code reconnect-path} and
 * {@code remove-path} (one path of a client session, as {@code rtrs:reconnect-path} and {@code rtrs:remove-path} do).
 * Every parameter is checked before anything is changed: a wrong one gets a 400 with a message naming it. The form
 * token is checked before this, by the servlet.
 */
final class ConsoleActions {

    static final String ACTION = "action";
    static final String SET_POLICY = "set-policy";
    static final String CLOSE_PATH = "close-path";
    static final String RECONNECT_PATH = "reconnect-path";
    static final String REMOVE_PATH = "remove-path";
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
                case RECONNECT_PATH -> reconnectPath(parameter(parameters, SESSION), parameter(parameters, PATH));
                case REMOVE_PATH -> removePath(parameter(parameters, SESSION), parameter(parameters, PATH));
                default ->
                    ActionResult.badRequest("unknown action '" + action + "' (known: " + SET_POLICY + ", " + CLOSE_PATH
                            + ", " + RECONNECT_PATH + ", " + REMOVE_PATH + ")");
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

    /** A client session's path, named by its session and uuid, checked to exist. */
    private record ClientPath(ClientSession session, PathInfo path) {}

    /** The client path the parameters name, or why not. */
    private ClientPath clientPath(String sessionName, String pathText) {
        if (!UUID_TEXT.matcher(pathText).matches()) {
            throw new BadParameter("path '" + pathText + "' is not a path uuid");
        }
        UUID uuid = UUID.fromString(pathText);
        RtrsAdmin transport = services.transport().orElseThrow(Unavailable::new);
        ClientSession session = transport.clientSessions().stream()
                .filter(s -> s.name().equals(sessionName))
                .findFirst()
                .orElseThrow(() -> new BadParameter("no client session named '" + sessionName + "'"));
        PathInfo path = session.paths().stream()
                .filter(p -> p.uuid().equals(uuid))
                .findFirst()
                .orElseThrow(() -> new BadParameter("client session '" + sessionName + "' has no path " + uuid));
        return new ClientPath(session, path);
    }

    private ActionResult reconnectPath(String sessionName, String pathText) {
        ClientPath target;
        try {
            target = clientPath(sessionName, pathText);
        } catch (Unavailable e) {
            return ActionResult.unavailable(Section.TRANSPORT);
        }
        String name = target.path().name();
        try {
            target.session().reconnectPath(target.path().uuid());
        } catch (TransportException e) {
            return refused(
                    e.errno(),
                    "path " + name + " of session " + sessionName + " is not reconnected: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionResult.failed("interrupted while reconnecting path " + name);
        }
        return ActionResult.done("Reconnected path " + name + " of session " + sessionName);
    }

    private ActionResult removePath(String sessionName, String pathText) {
        ClientPath target;
        try {
            target = clientPath(sessionName, pathText);
        } catch (Unavailable e) {
            return ActionResult.unavailable(Section.TRANSPORT);
        }
        String name = target.path().name();
        UUID uuid = target.path().uuid();
        // a session that carries mapped devices keeps its paths in their configuration, so that it survives a restart
        Optional<RnbdClientAdmin> client =
                services.client().filter(c -> c.devices().stream().anyMatch(d -> sessionName.equals(d.session())));
        List<String> kept = List.of();
        try {
            if (client.isPresent()) {
                kept = client.get().removePath(sessionName, uuid);
            } else {
                target.session().removePath(uuid);
            }
        } catch (TransportException e) {
            return refused(e.errno(), "path " + name + " of session " + sessionName + " stays: " + e.getMessage());
        } catch (BlockException e) {
            return refused(e.errno(), "path " + name + " of session " + sessionName + " stays: " + e.getMessage());
        }
        return ActionResult.done("Removed path " + name + " from session " + sessionName
                + (kept.isEmpty()
                        ? " (until it closes)"
                        : " (kept in the configuration of " + String.join(", ", kept) + ")"));
    }

    /** A refusal the request caused (the last path, a path gone meanwhile) is a 400; anything else a 500. */
    private static ActionResult refused(int errno, String message) {
        return errno == Errno.EBUSY || errno == Errno.ENOENT || errno == Errno.EINVAL
                ? ActionResult.badRequest(message)
                : ActionResult.failed(message);
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

    /** The transport an action needs is absent. */
    private static final class Unavailable extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Unavailable() {
            super(null, null, false, false);
        }
    }

    /** A wrong parameter; its message names it. */
    private static final class BadParameter extends RuntimeException {

        private static final long serialVersionUID = 1L;

        BadParameter(String message) {
            super(message, null, false, false);
        }
    }
}
