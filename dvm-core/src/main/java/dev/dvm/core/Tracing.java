package dev.dvm.core;

import jdk.jfr.FlightRecorder;

/**
 * Whether a Flight Recorder recording wants dvm4j's events. Asks whether JFR is running before
 * touching the event classes: loading the first event class initialises JFR, a one-off cost of
 * 0.1–0.5 s a process that never records should not pay. Allocation-free.
 */
final class Tracing {
    private Tracing() {}

    /** Whether {@link EncodeEvent}s are being recorded. */
    static boolean encodes() {
        return FlightRecorder.isInitialized() && EncodeEvent.TYPE.isEnabled();
    }

    /** Whether {@link LaunchEvent}s are being recorded. */
    static boolean launches() {
        return FlightRecorder.isInitialized() && LaunchEvent.TYPE.isEnabled();
    }
}
