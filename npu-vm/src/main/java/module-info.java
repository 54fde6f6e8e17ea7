/** The virtual machine that models an NPU and runs dvm4j bytecode on the CPU with the Vector API. */
module dev.dvm.vm {
    requires transitive dev.dvm.bytecode;
    requires jdk.incubator.vector;
    requires org.agrona;
    requires org.objectweb.asm;
    exports dev.dvm.vm;
}
