package dev.rtrs.block.client.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "RNBD mapped device",
        description = "A server's device mapped on this appliance, as the kernel's map_device does")
@interface MappedDeviceConfig {

    @AttributeDefinition(description = "Name of the mapped device (also its NBD export name)")
    String name();

    @AttributeDefinition(description = "RTRS session to map through; devices of one session share its paths")
    String session();

    @AttributeDefinition(
            description =
                    "Paths as [src,]dst, separated by semicolons, e.g. 127.0.0.1;127.0.0.2 or ip:10.0.0.1,ip:10.0.0.2:1234."
                            + " Adding or removing one changes the running session without remapping")
    String[] paths();

    @AttributeDefinition(description = "Server port when a path names none")
    int port() default 1234;

    @AttributeDefinition(description = "Device name on the server (an export, or a path under its dev_search_path)")
    String devicePath();

    @AttributeDefinition(description = "Access mode: ro, rw or migration")
    String accessMode() default "rw";

    @AttributeDefinition(description = "Connections per path; 0 for one per CPU plus the service connection")
    int connectionsPerPath() default 0;

    @AttributeDefinition(description = "Verbs provider: tcp or disni")
    String provider() default "tcp";

    @AttributeDefinition(
            description = "Multipath policy of the session, by name or alias: min-inflight (mi),"
                    + " round-robin (rr), min-latency (ml), or any installed policy. Changing it switches a running session"
                    + " without remapping")
    String policy() default "min-inflight";

    @AttributeDefinition(
            description = "Reconnect attempts of a broken path before it is given up: -1 for no limit, or 0 to 9999."
                    + " Changing it applies to the running session without remapping")
    int maxReconnectAttempts() default -1;

    @AttributeDefinition(description = "Milliseconds between reconnect attempts of a broken path")
    long reconnectDelayMs() default 2000;

    @AttributeDefinition(description = "Milliseconds connecting a path of a new session may take")
    long connectTimeoutMs() default 30000;

    @AttributeDefinition(description = "Milliseconds an IO may wait for a broken link before it fails with EIO")
    long ioTimeoutMs() default 30000;
}
