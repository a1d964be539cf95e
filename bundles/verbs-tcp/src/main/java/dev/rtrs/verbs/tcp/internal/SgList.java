package dev.rtrs.verbs.tcp.internal;

import java.nio.ByteBuffer;

/**
 * Views of registered memory that one frame sends from or places into, with the regions they belong to and
 * whether each holds the region's access guard. The views are lent by the queue pair's {@link ViewPool} and go back
 * there at {@link #release()}, when the frame is done with them.
 */
final class SgList {

    final ByteBuffer[] views;
    final TcpMemoryRegion[] regions;

    private final boolean[] guarded;
    /** Where the views came from. */
    private ViewPool pool;

    int count;

    SgList(int capacity) {
        views = new ByteBuffer[capacity];
        regions = new TcpMemoryRegion[capacity];
        guarded = new boolean[capacity];
    }

    /** Appends {@code length} bytes of {@code region} at device address {@code address}, viewed by {@code from}. */
    void add(ViewPool from, TcpMemoryRegion region, long address, int length, boolean guard) {
        int i = count++;
        views[i] = from.lend(region, address, length);
        regions[i] = region;
        guarded[i] = guard;
        pool = from;
    }

    /** Ends the guarded accesses and gives the views back. */
    void release() {
        for (int i = 0; i < count; i++) {
            pool.giveBack(regions[i], views[i]);
            if (guarded[i]) {
                guarded[i] = false;
                regions[i].release();
            }
            views[i] = null;
            regions[i] = null;
        }
        count = 0;
    }
}
