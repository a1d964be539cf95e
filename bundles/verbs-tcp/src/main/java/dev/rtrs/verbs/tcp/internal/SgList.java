package dev.rtrs.verbs.tcp.internal;

import java.nio.ByteBuffer;

/**
 * Views of registered memory that one frame sends from or places into, with the regions they belong to and
 * whether each holds the region's access guard. Reused: {@link #release()} ends the guards but each slot keeps
 * its view, so the next request naming the same region reuses it and steady-state traffic allocates nothing.
 */
final class SgList {

    final ByteBuffer[] views;
    /** The region of each slot's view (slots at and beyond {@link #count} keep theirs for reuse). */
    final TcpMemoryRegion[] regions;

    private final boolean[] guarded;
    int count;

    SgList(int capacity) {
        views = new ByteBuffer[capacity];
        regions = new TcpMemoryRegion[capacity];
        guarded = new boolean[capacity];
    }

    /** Appends {@code length} bytes of {@code region} at device address {@code address}. */
    void add(TcpMemoryRegion region, long address, int length, boolean guard) {
        int i = count++;
        ByteBuffer v = views[i];
        if (v != null && regions[i] == region) {
            region.reposition(v, address, length);
        } else {
            if (v != null) {
                regions[i].recycle(v);
            }
            views[i] = region.view(address, length);
            regions[i] = region;
        }
        guarded[i] = guard;
    }

    /** Ends the guarded accesses; the views stay cached. */
    void release() {
        for (int i = 0; i < count; i++) {
            if (guarded[i]) {
                guarded[i] = false;
                regions[i].release();
            }
        }
        count = 0;
    }

    /** Releases, then gives every cached view back (the owner is going away). */
    void forget() {
        release();
        for (int i = 0; i < views.length; i++) {
            if (views[i] != null) {
                regions[i].recycle(views[i]);
                views[i] = null;
                regions[i] = null;
            }
        }
    }
}
