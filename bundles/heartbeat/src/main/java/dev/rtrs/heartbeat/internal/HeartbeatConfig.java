package dev.rtrs.heartbeat.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "RTRS heartbeat",
        description = "Liveness of RTRS paths: a quiet path sends a heartbeat every interval, and a path that receives"
                + " nothing for more than missedMax intervals in a row is declared dead (its IO fails over and it"
                + " reconnects). Changes apply at once to every path. The kernel's defaults are 5000 ms and 5.")
@interface HeartbeatConfig {

    @AttributeDefinition(
            name = "Interval (ms)",
            description = "Heartbeat interval: how often each path is checked,"
                    + " and how long a path may stay quiet before it sends a heartbeat.",
            min = "1")
    long intervalMs() default 500;

    @AttributeDefinition(
            name = "Missed intervals",
            description = "Intervals in a row without anything received that"
                    + " a path survives; one more declares it dead. A silent path is detected (missedMax + 1) to"
                    + " (missedMax + 2) intervals after the last thing it received.",
            min = "0")
    int missedMax() default 3;
}
