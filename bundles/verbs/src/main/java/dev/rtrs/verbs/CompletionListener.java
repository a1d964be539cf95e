package dev.rtrs.verbs;

import org.osgi.annotation.versioning.ConsumerType;

/** Told that an armed completion queue has work. */
@ConsumerType
@FunctionalInterface
public interface CompletionListener {

    /**
     * Called on a provider thread, once per {@link CompletionQueue#requestNotify()}, after a completion
     * has been queued. Poll the queue, then re-arm it. Must not block.
     */
    void onCompletion(CompletionQueue cq);
}
