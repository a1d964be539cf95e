package dev.rtrs.verbs.tcp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The views of registered memory that one queue pair's frames send from or place into. A view is lent for one
 * frame and comes back once that frame has left or has been placed, so this pool holds, per region, as many views
 * as the queue pair had in use at once from it: steady traffic makes none, whatever the mix of regions and however
 * often their keys change (a view is of the memory, not of a key; the key is checked before a view is lent).
 *
 * <p>Each use re-points a view with its own position and limit, and a view is in one frame at a time: no frame sees
 * another's range. IO thread of the queue pair only, as the send queue and the socket it serves.
 */
final class ViewPool {

    /** Idle views by region (identity: a region is its own key). */
    private final Map<TcpMemoryRegion, ArrayDeque<ByteBuffer>> idle = new IdentityHashMap<>();
    /** Views made; written on the IO thread, read by tests. */
    private volatile int made;

    /** A view of {@code len} bytes of {@code region} at device address {@code addr}, until {@link #giveBack}. */
    ByteBuffer lend(TcpMemoryRegion region, long addr, int len) {
        ArrayDeque<ByteBuffer> views = idle.get(region);
        if (views == null) {
            // a region seen for the first time: let go of the views of closed ones, and their memory
            idle.keySet().removeIf(TcpMemoryRegion::isClosed);
            views = new ArrayDeque<>();
            idle.put(region, views);
        }
        ByteBuffer v = views.pollLast();
        if (v == null) {
            v = region.newView();
            made++;
        }
        region.reposition(v, addr, len);
        return v;
    }

    /** Takes back a view that {@link #lend} gave for {@code region}; its frame no longer uses it. */
    void giveBack(TcpMemoryRegion region, ByteBuffer view) {
        ArrayDeque<ByteBuffer> views = idle.get(region);
        if (views != null) {
            views.addLast(view);
        }
    }

    /** How many views this pool has made. */
    int made() {
        return made;
    }
}
