package dev.rtrs.verbs;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives connection-manager events. */
@ConsumerType
@FunctionalInterface
public interface CmEventHandler {

    /**
     * Called on a provider thread, one event at a time per id. May call any {@link CmId} operation,
     * including {@code connect}, {@code accept} and {@code reject}, which never wait for event delivery.
     * Must not block for long: other ids may share the thread.
     */
    void onEvent(CmEvent event);
}
