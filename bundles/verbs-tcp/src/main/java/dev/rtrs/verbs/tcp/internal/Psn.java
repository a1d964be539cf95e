package dev.rtrs.verbs.tcp.internal;

/** Packet sequence numbers: 32-bit counters compared modulo 2^32, so they may wrap. */
final class Psn {

    private Psn() {}

    /** Whether {@code a} comes before {@code b}. */
    static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** Whether {@code a} comes after {@code b}. */
    static boolean after(int a, int b) {
        return a - b > 0;
    }

    /** Distance from {@code from} to {@code to}, negative when {@code to} comes first. */
    static int distance(int from, int to) {
        return to - from;
    }
}
