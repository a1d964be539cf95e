package dev.rtrs.block.client.internal.nbd;

import java.nio.ByteBuffer;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.verbs.Errno;

/** A block device in a byte array, completing inline: enough to exercise the gateway. */
final class ArrayDevice implements BlockDevice {

    final String name;
    final byte[] data;
    final boolean readOnly;
    int flushes;

    ArrayDevice(String name, int size, boolean readOnly) {
        this.name = name;
        this.data = new byte[size];
        this.readOnly = readOnly;
    }

    private int check(long offset, long length) {
        if (offset % 512 != 0 || length % 512 != 0) {
            return Errno.EINVAL;
        }
        return offset < 0 || offset + length > data.length ? Errno.EINVAL : 0;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public int logicalBlockSize() {
        return 512;
    }

    @Override
    public int physicalBlockSize() {
        return 4096;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public boolean hasWriteCache() {
        return false;
    }

    @Override
    public boolean supportsFua() {
        return true;
    }

    @Override
    public boolean supportsDiscard() {
        return true;
    }

    @Override
    public boolean supportsWriteZeroes() {
        return true;
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst, BlockCompletion done) {
        int e = check(offset, dst.remaining());
        if (e == 0) {
            dst.put(data, (int) offset, dst.remaining());
        }
        done.complete(e);
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, int flags, BlockCompletion done) {
        int e = readOnly ? Errno.EROFS : check(offset, src.remaining());
        if (e == 0) {
            src.duplicate().get(data, (int) offset, src.remaining());
        }
        done.complete(e);
    }

    @Override
    public synchronized void flush(BlockCompletion done) {
        flushes++;
        done.complete(0);
    }

    @Override
    public synchronized void discard(long offset, long length, BlockCompletion done) {
        writeZeroes(offset, length, done);
    }

    @Override
    public synchronized void writeZeroes(long offset, long length, BlockCompletion done) {
        int e = readOnly ? Errno.EROFS : check(offset, length);
        if (e == 0) {
            java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
        }
        done.complete(e);
    }

    @Override
    public void close() {
    }
}
