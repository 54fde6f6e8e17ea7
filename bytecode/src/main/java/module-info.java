/** The dvm4j instruction set: one instruction table, a writer, a reader that drives visitors, a verifier and a disassembler. */
module dev.dvm.bytecode {
    exports dev.dvm.bytecode;
}
