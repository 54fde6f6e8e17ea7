/** dvm4j's kernel API: dtypes, tensors, the kernel builder, normalisation, tiling and code generation. */
module dev.dvm.core {
    requires transitive dev.dvm.vm;
    requires transitive dev.dvm.bytecode;
    requires jdk.jfr;
    requires org.agrona;
    exports dev.dvm.core;
}
