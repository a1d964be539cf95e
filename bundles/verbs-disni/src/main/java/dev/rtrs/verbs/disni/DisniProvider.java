package dev.rtrs.verbs.disni;

import org.osgi.annotation.versioning.ProviderType;

import dev.rtrs.verbs.VerbsProvider;

/** A running DiSNI provider: the verbs of {@link VerbsProvider} plus its own shutdown. */
@ProviderType
public interface DisniProvider extends VerbsProvider, AutoCloseable {

    /**
     * Stops the connection-manager event thread and the completion threads, closes the completion queues still
     * open and releases the event channel. Resources the caller still holds (queue pairs, regions, domains) must
     * be closed first. Blocks until the threads have ended.
     */
    @Override
    void close();
}
