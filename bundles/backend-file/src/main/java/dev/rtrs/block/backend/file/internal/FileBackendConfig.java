package dev.rtrs.block.backend.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "RNBD file backend",
        description = "Stores each export in a regular file or a block device. An export's parameters: path "
                + "(absolute; required), create (true to create a missing regular file), size (with create: bytes, "
                + "with an optional K, M, G or T suffix) and logical_block_size (512, 1024, 2048 or 4096; default "
                + "512, or the block device's own).")
@interface FileBackendConfig {

    @AttributeDefinition(
            name = "IO threads",
            min = "1",
            max = "64",
            description = "Threads doing the file IO of all file exports together; callers never wait for them. "
                    + "A change applies at once, without closing exports.")
    int ioThreads() default 4;
}
