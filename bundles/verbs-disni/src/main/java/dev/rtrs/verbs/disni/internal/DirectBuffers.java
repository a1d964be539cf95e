package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.util.MemoryUtils;
import java.nio.ByteBuffer;

/**
 * Native addresses of direct buffers. DiSNI's own command buffers ({@code MemBuf}) read their addresses through
 * {@link MemoryUtils} on every verb call, so the JVM needs {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}
 * whatever this provider does; using the same call here adds no requirement.
 */
final class DirectBuffers {

    private DirectBuffers() {}

    /** The address of the buffer's first byte (index 0, not its position). */
    static long address(ByteBuffer direct) {
        return MemoryUtils.getAddress(direct);
    }
}
