package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.RtrsAdmin;

/**
 * The admin services are optional references of the commands, so that a command says which part of the appliance
 * is missing instead of not existing at all.
 */
final class Available {

    private Available() {}

    static RtrsAdmin transport(RtrsAdmin admin) {
        if (admin == null) {
            throw new IllegalStateException(
                    "the RTRS transport is not running (no RtrsAdmin service: install the " + "rtrs-core feature)");
        }
        return admin;
    }

    static RnbdServerAdmin server(RnbdServerAdmin admin) {
        if (admin == null) {
            throw new IllegalStateException("no RNBD server is running (it starts with the rnbd-server feature and a "
                    + "configuration in etc/dev.rtrs.block.server.RnbdServer.cfg)");
        }
        return admin;
    }

    static RnbdClientAdmin client(RnbdClientAdmin admin) {
        if (admin == null) {
            throw new IllegalStateException("the RNBD client is not running (no RnbdClientAdmin service: install the "
                    + "rnbd-client feature)");
        }
        return admin;
    }
}
