/*
 * A DMAR with one RMRR (Intel VT-d 4.1, §8.4 Reserved Memory Region
 * Reporting structure) for the XSA-386 and XSA-400 tests: QEMU builds its
 * own DMAR without RMRRs and places this one, given with -acpitable, after
 * it; the root task appends this table's RMRRs to its copy of QEMU's.
 * The range is one page of the memory SeaBIOS reserves at the top of the
 * 256 MiB the presets give (below edu's 28-bit DMA mask, never RAM to
 * Ward); the scope names edu 1 of the `iommu` preset, 00:02.0 (§8.3.1: a
 * PCI endpoint, start bus 0, path device 2 function 0).
 * Compiled with iasl (acpica-tools).
 */
[0004]                          Signature : "DMAR"
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "WARD  "
[0008]                       Oem Table ID : "RMRRTEST"
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 00000000

[0001]                 Host Address Width : 26
[0001]                              Flags : 00
[0010]                           Reserved : 00 00 00 00 00 00 00 00 00 00

[0002]                      Subtable Type : 0001 [Reserved Memory Region]
[0002]                             Length : 0020

[0002]                           Reserved : 0000
[0002]                 PCI Segment Number : 0000
[0008]                       Base Address : 000000000FFE0000
[0008]                End Address (limit) : 000000000FFE0FFF

[0001]                  Device Scope Type : 01 [PCI Endpoint Device]
[0001]                       Entry Length : 08
[0002]                           Reserved : 0000
[0001]                     Enumeration ID : 00
[0001]                     PCI Bus Number : 00

[0002]                           PCI Path : 02,00
