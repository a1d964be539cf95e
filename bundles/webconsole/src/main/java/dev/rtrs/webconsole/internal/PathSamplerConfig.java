package dev.rtrs.webconsole.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "RTRS web console sampler",
        description = "Samples the counters of every client and server path once a second for the chart of the RTRS"
                + " web console page. Memory stays below historySeconds x maxPaths x 32 bytes.")
@interface PathSamplerConfig {

    @AttributeDefinition(
            name = "History (s)",
            description = "Seconds of IOPS and throughput the chart shows.",
            min = "10",
            max = "3600")
    int historySeconds() default 300;

    @AttributeDefinition(
            name = "Paths",
            description = "Paths sampled at the most; further paths are left out of the"
                    + " chart (data.json counts them as untrackedPaths) until a sampled path goes away.",
            min = "1",
            max = "1024")
    int maxPaths() default 32;
}
