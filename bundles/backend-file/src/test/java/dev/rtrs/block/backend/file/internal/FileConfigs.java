package dev.rtrs.block.backend.file.internal;

import java.lang.annotation.Annotation;

/** Configurations as ConfigAdmin would hand them to the component. */
final class FileConfigs {

    private FileConfigs() {}

    static FileBackendConfig ioThreads(int threads) {
        return new FileBackendConfig() {
            @Override
            public int ioThreads() {
                return threads;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return FileBackendConfig.class;
            }
        };
    }
}
