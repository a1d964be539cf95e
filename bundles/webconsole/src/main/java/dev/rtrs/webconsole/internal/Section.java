package dev.rtrs.webconsole.internal;

/**
 * The parts of the page that depend on one admin service each; a part whose service is absent is left out, with a
 * line saying what provides it.
 */
enum Section {
    TRANSPORT("transport", "The RTRS transport is not running (no RtrsAdmin service): install the rtrs-core feature."),
    RNBD_CLIENT(
            "rnbdClient",
            "The RNBD client is not running (no RnbdClientAdmin service): install the rnbd-client feature."),
    RNBD_SERVER(
            "rnbdServer",
            "No RNBD server is running (no RnbdServerAdmin service): it starts with the rnbd-server"
                    + " feature and a configuration in etc/dev.rtrs.block.server.RnbdServer.cfg.");

    private final String jsonName;
    private final String missing;

    Section(String jsonName, String missing) {
        this.jsonName = jsonName;
        this.missing = missing;
    }

    /** The section's member name in data.json. */
    String jsonName() {
        return jsonName;
    }

    /** What the page says when the section's service is absent. */
    String missing() {
        return missing;
    }
}
