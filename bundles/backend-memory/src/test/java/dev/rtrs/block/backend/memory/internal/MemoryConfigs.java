package dev.rtrs.block.backend.memory.internal;

import java.lang.annotation.Annotation;

/** Configurations as ConfigAdmin would hand them to the component. */
final class MemoryConfigs {

    private MemoryConfigs() {}

    static MemoryBackendConfig capacity(String capacity) {
        return new MemoryBackendConfig() {
            @Override
            public String capacity() {
                return capacity;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return MemoryBackendConfig.class;
            }
        };
    }
}
