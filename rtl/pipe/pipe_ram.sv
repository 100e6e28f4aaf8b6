// Synchronous RAM of the pipe engine: one write port with byte enables, one registered read
// port with read enable, no reset and no read-during-write guarantee (the engine never reads
// a word in the cycle it writes it), so Yosys maps it to block RAM as it is: iCE40
// SB_RAM40_4K (1 read + 1 write port), Xilinx RAMB18/36. With Huge = 1 the RAM is
// single-port (the write address wins; the engine writes weights only while it is stopped)
// and asks for the iCE40 UltraPlus SB_SPRAM256KA (16K x 16) instead of block RAM.
module pipe_ram #(
  parameter int unsigned Width = 16,  // multiple of 8
  parameter int unsigned Depth = 256,
  parameter int unsigned Huge  = 0,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned Nb = Width / 8
) (
  input  logic             clk_i,
  input  logic [Nb-1:0]    we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [Aw-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);
  if (Huge != 0) begin : g_huge
    (* no_rw_check, ram_style = "huge" *) logic [Width-1:0] mem_q [Depth];
    logic [Aw-1:0] addr;
    assign addr = (|we_i) ? waddr_i : raddr_i;
    always_ff @(posedge clk_i) begin
      for (int unsigned b = 0; b < Nb; b++) begin
        if (we_i[b]) mem_q[addr][b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
      if (re_i) rdata_o <= mem_q[addr];
    end
  end else begin : g_block
    (* no_rw_check *) logic [Width-1:0] mem_q [Depth];
    always_ff @(posedge clk_i) begin
      for (int unsigned b = 0; b < Nb; b++) begin
        if (we_i[b]) mem_q[waddr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end
endmodule
