/*
 * An IVRS with one IVMD (AMD IOMMU 48882, §5.2.3, I/O Virtualization
 * Memory Definition, type 21h: one device) for the XSA-386 and XSA-400
 * tests on amd-iommu, the counterpart of dmar_rmrr.dsl: QEMU builds its
 * own IVRS without IVMDs and places this one, given with -acpitable,
 * after it; the root task appends this table's IVMDs to its copy of
 * QEMU's. It has no IVHD, so it describes no IOMMU.
 * The range is dmar_rmrr.dsl's page: one page of the memory SeaBIOS
 * reserves at the top of the 256 MiB the presets give (below edu's 28-bit
 * DMA mask, never RAM to Ward). The flags say Unity, read and write
 * (bits 0-2). The DeviceID names edu 1 of the `iommu` preset on
 * amd-iommu, 00:03.0 (the IOMMU's own function takes 00:01.0, so the edu
 * devices are 00:02.0 and 00:03.0): bus 0, device 3, function 0.
 * Compiled with iasl (acpica-tools).
 */
[0004]                          Signature : "IVRS"
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "WARD  "
[0008]                       Oem Table ID : "IVMDTEST"
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 00000000

[0004]                Virtualization Info : 00000000
[0008]                           Reserved : 0000000000000000

[0001]                      Subtable Type : 21 [Memory Definition Block]
[0001]                              Flags : 07
[0002]                             Length : 0020
[0002]                           DeviceId : 0018

[0002]                     Auxiliary Data : 0000
[0008]                           Reserved : 0000000000000000
[0008]                      Start Address : 000000000FFE0000
[0008]                      Memory Length : 0000000000001000
