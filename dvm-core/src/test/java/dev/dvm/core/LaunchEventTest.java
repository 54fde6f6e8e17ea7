package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The JDK Flight Recorder events of lookups ({@code dev.dvm.Encode}) and launches ({@code dev.dvm.Launch}). */
class LaunchEventTest {
    @AutoClose
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(2));

    private static List<RecordedEvent> record(Runnable work) throws Exception {
        Path file = Files.createTempFile("dvm-events", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable(EncodeEvent.NAME).withoutThreshold();
            recording.enable(LaunchEvent.NAME).withoutThreshold();
            recording.start();
            work.run();
            recording.stop();
            recording.dump(file);
            return RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name, String kernel) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name) && kernel.equals(e.getString("kernel"))).toList();
    }

    @Test
    void encodeAndLaunchEventsCarryKernelShapeHitTilesAndCores() throws Exception {
        Kernel k = LaunchTest.fourOps("four_ops_jfr", -1);
        KernelInstance[] instance = new KernelInstance[1];
        List<RecordedEvent> events;
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, LaunchTest.ramp(300, 1f, 0f), 300);
            Tensor out = Tensor.allocate(arena, DType.F32, 300);
            Launch call = k.newLaunch().input(0, x).input(1, x).input(2, x).output(0, out);
            events = record(() -> {
                call.run(DEVICE);
                call.run(DEVICE);
                instance[0] = call.instance(DEVICE);
            });
        }
        List<RecordedEvent> encodes = named(events, EncodeEvent.NAME, "four_ops_jfr");
        assertEquals(3, encodes.size(), "a miss, then two hits: " + encodes);
        assertEquals(List.of(false, true, true), encodes.stream().map(e -> e.getBoolean("hit")).toList());
        for (RecordedEvent e : encodes) {
            assertEquals("in0 [300]:[1], in1 [300]:[1], in2 [300]:[1] -> out0 [300]:[1]", e.getString("shape"));
            assertTrue(e.getLong("micros") >= 0);
        }
        assertTrue(encodes.get(0).getLong("micros") >= encodes.get(1).getLong("micros"), "encoding takes longer than a hit");
        List<RecordedEvent> launches = named(events, LaunchEvent.NAME, "four_ops_jfr");
        assertEquals(2, launches.size());
        for (RecordedEvent e : launches) {
            assertEquals(instance[0].tiles(), e.getLong("tiles"));
            assertEquals(DEVICE.coresFor(instance[0].executable()), e.getInt("cores"));
            assertTrue(e.getLong("micros") >= 0);
        }
    }

    @Test
    void withoutARecordingNoEventIsEnabled() {
        assertTrue(!Tracing.encodes() && !Tracing.launches(), "the launch path creates events only when these say so");
    }
}
