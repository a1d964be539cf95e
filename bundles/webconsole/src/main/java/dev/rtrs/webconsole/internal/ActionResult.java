package dev.rtrs.webconsole.internal;

import java.io.StringWriter;
import javax.json.Json;
import javax.json.stream.JsonGenerator;

/**
 * What an action did, as the HTTP status of its response and a one-line message.
 *
 * @param status  200 done, 400 bad input (nothing changed), 403 no valid form token (nothing changed), 503 the service
 *                the action needs is absent, 500 the service failed
 * @param message what was done, or why not
 */
record ActionResult(int status, String message) {

    static ActionResult done(String message) {
        return new ActionResult(200, message);
    }

    static ActionResult badRequest(String message) {
        return new ActionResult(400, message);
    }

    static ActionResult forbidden(String message) {
        return new ActionResult(403, message);
    }

    static ActionResult failed(String message) {
        return new ActionResult(500, message);
    }

    static ActionResult unavailable(Section section) {
        return new ActionResult(503, section.missing());
    }

    boolean ok() {
        return status == 200;
    }

    /** {@code {"message": "..."}} when done, {@code {"error": "..."}} otherwise. */
    String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = Json.createGenerator(out)) {
            json.writeStartObject().write(ok() ? "message" : "error", message).writeEnd();
        }
        return out.toString();
    }
}
