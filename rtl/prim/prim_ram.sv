// Synchronous RAM: one write port (per-bit write mask) and one registered read (rdata_o is
// valid the cycle after re_i). Written so that Yosys infers block RAM and Verilator models it
// cycle-exactly; no reset, no read-during-write guarantee (no_rw_check: callers never read a
// word in the cycle they write it, so Yosys adds no collision bypass logic).
//   Huge = 0: simple dual port, 1 read + 1 write address (iCE40 SB_RAM40_4K, the per-bit mask
//             on its MASK input in 256x16 mode; Xilinx RAMB18/36).
//   Huge = 1: single port for memories larger than the block RAM holds: one address, the write
//             address when we_i, else the read address (then rdata_o reads the written word).
//             Callers write it only while they do not read it (weights: loaded while the engine
//             is stopped). ram_style "huge" asks Yosys for the iCE40 UltraPlus SB_SPRAM256KA
//             (16K x 16 each); other targets drop the hint (synth/src/flow.cpp): block RAM.
// Block = 1 (with Huge = 0): ram_style "block" asks Yosys for block RAM (iCE40 SB_RAM40_4K) even
//   when it would choose flip-flops: a very shallow, wide memory (4 rows of 512 bits, a pipe
//   stage with few weights on a wide array) costs less in flip-flops by Yosys' estimate, but
//   2048 flip-flops are not a memory (the iCE40 has no LUT RAM). Other targets drop the hint.
// MaskGran: the write mask's granule in bits (it must divide Width; wmask_i is then constant
//   within each granule, e.g. 8 for a byte-lane mask, Width for whole-word writes). It changes
//   only how Yosys elaborates the write: one memory write port per granule instead of one per
//   bit, which memory_share merges again. A 512-bit row as 512 one-bit ports took Yosys 0.23
//   over an hour to merge (pipe_dwsep_p8s8's weight RAM); as 64 byte ports it is minutes.
module prim_ram #(
  parameter int unsigned Width    = 16,
  parameter int unsigned Depth    = 256,
  parameter int unsigned Huge     = 0,
  parameter int unsigned Block    = 0,
  parameter int unsigned MaskGran = 1,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  // write port
  input  logic             we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [Width-1:0] wmask_i,  // 1 = write this bit
  // read port
  input  logic             re_i,
  input  logic [Aw-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);
  if (MaskGran == 0 || Width % MaskGran != 0) begin : g_bad_gran
    $error("prim_ram: MaskGran must divide Width");
  end
  logic [Aw-1:0] wa, ra;
  assign wa = (Huge == 0 || we_i) ? waddr_i : raddr_i;
  assign ra = (Huge != 0) ? wa : raddr_i;

  // The masked write, spelled for each tool: Yosys infers per-bit write enables from the bit
  // loop; Verilator 5.006 rejects delayed array assignments in loops (BLKLOOPINIT), so it gets
  // the equivalent merge of the old and new word. One memory per style: Yosys 0.23 takes the
  // memory's attributes from its declaration only.
`ifdef VERILATOR
`define PRIM_RAM_PORTS(m) \
  always_ff @(posedge clk_i) if (we_i) m[wa] <= (m[wa] & ~wmask_i) | (wdata_i & wmask_i); \
  always_ff @(posedge clk_i) if (re_i) rdata_o <= m[ra];
`else
`define PRIM_RAM_PORTS(m) \
  always_ff @(posedge clk_i) if (we_i) for (int unsigned i = 0; i < Width / MaskGran; i++) if (wmask_i[i * MaskGran]) m[wa][i * MaskGran +: MaskGran] <= wdata_i[i * MaskGran +: MaskGran]; \
  always_ff @(posedge clk_i) if (re_i) rdata_o <= m[ra];
`endif
  if (Huge != 0) begin : g_huge
    (* no_rw_check, ram_style = "huge" *) logic [Width-1:0] mem [Depth];
    `PRIM_RAM_PORTS(mem)
  end else if (Block != 0) begin : g_ebr
    (* no_rw_check, ram_style = "block" *) logic [Width-1:0] mem [Depth];
    `PRIM_RAM_PORTS(mem)
  end else begin : g_block
    (* no_rw_check *) logic [Width-1:0] mem [Depth];
    `PRIM_RAM_PORTS(mem)
  end
`undef PRIM_RAM_PORTS
endmodule
