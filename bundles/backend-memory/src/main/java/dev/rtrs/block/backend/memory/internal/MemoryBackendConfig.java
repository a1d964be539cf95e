package dev.rtrs.block.backend.memory.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "RNBD memory backend",
        description = "Keeps each export in off-heap memory (lost when the export is closed). An export's "
                + "parameters: size (bytes, with an optional K, M, G or T suffix; required) and "
                + "logical_block_size (512, 1024, 2048 or 4096; default 512).")
@interface MemoryBackendConfig {

    @AttributeDefinition(
            name = "Capacity",
            description = "Most bytes all memory exports may hold together, with an optional K, M, G or T suffix; "
                    + "0 for no limit but the JVM's direct memory limit (-XX:MaxDirectMemorySize). A change applies "
                    + "to exports opened afterwards.")
    String capacity() default "0";
}
