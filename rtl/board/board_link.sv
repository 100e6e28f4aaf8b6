// Command layer of the board's SPI link (board_spi bytes <-> the engine's ports). One
// transaction = CS_N low, a command byte, its bytes, CS_N high. The first byte the MCU
// clocks out of MISO in every transaction is the status byte
//   {4'hA, 1'b0, overflow, in_room, result_ready}   (overflow is cleared once reported).
// Commands (words are 4 bytes, most significant byte first):
//   0x01 WRITE   addr[4], then words: each is one register/load-port write, at addr, addr+1, ...
//   0x02 READ    addr[4], one dummy byte, then words read at addr, addr+1, ... (MISO)
//   0x03 SAMPLES words: each is one beat of the engine's input stream (in_room must be set;
//                a word sent while it is not sets overflow and is dropped)
//   0x04 RESULT  MISO: class byte, then MaxClasses logit words; CS_N rising frees the result
//                for the engine's next output
// result_ready is also the irq pin. The engine's reg_rdata must be valid within 3 cycles of
// its reg_addr (one dummy byte leaves 8 SCLK periods for the first word).
module board_link #(
  parameter int unsigned MaxClasses = 8,
  localparam int unsigned ResW = 8 + MaxClasses * 32
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // byte side (board_spi)
  input  logic                     frame_start_i,
  input  logic                     frame_end_i,
  input  logic                     rx_valid_i,
  input  logic [7:0]               rx_byte_i,
  input  logic                     tx_load_i,
  output logic [7:0]               tx_byte_o,
  output logic                     irq_o,
  // engine side
  output logic                     in_valid_o,
  input  logic                     in_ready_i,
  output logic [31:0]              in_data_o,
  input  logic                     out_valid_i,
  output logic                     out_ready_o,
  input  logic [7:0]               out_class_i,
  input  logic [MaxClasses*32-1:0] out_logits_i,
  output logic                     reg_we_o,
  output logic [31:0]              reg_addr_o,
  output logic [31:0]              reg_wdata_o,
  input  logic [31:0]              reg_rdata_i
);
  localparam logic [7:0] CmdWrite   = 8'h01;
  localparam logic [7:0] CmdRead    = 8'h02;
  localparam logic [7:0] CmdSamples = 8'h03;
  localparam logic [7:0] CmdResult  = 8'h04;

  typedef enum logic [2:0] {
    LkCmd     = 3'd0,
    LkAddr    = 3'd1,
    LkDummy   = 3'd2,
    LkWrite   = 3'd3,
    LkRead    = 3'd4,
    LkSamples = 3'd5,
    LkResult  = 3'd6,
    LkIgnore  = 3'd7
  } link_e;

  link_e       state_q;
  logic        is_read_q;   // LkAddr of a READ (else of a WRITE)
  logic [1:0]  bc_q;        // byte of the current word
  logic [23:0] word_q;      // first three bytes of the word being received
  logic [31:0] addr_q, wdata_q, in_q, rd_q;
  logic        we_q, in_full_q, ovf_q, res_full_q;
  logic [1:0]  fetch_q;     // cycles until rd_q takes reg_rdata
  logic [1:0]  rd_loads_q;  // bytes of rd_q loaded into the shifter
  logic [ResW-1:0] res_q;

  logic [31:0] word;
  logic        word_done;
  assign word      = {word_q, rx_byte_i};
  assign word_done = rx_valid_i && (bc_q == 2'd3);

  logic [7:0] status;
  assign status = {4'hA, 1'b0, ovf_q, !in_full_q, res_full_q};

  always_comb begin
    unique case (state_q)
      LkCmd:    tx_byte_o = status;
      LkRead:   tx_byte_o = rd_q[31:24];
      LkResult: tx_byte_o = res_q[ResW-1 -: 8];
      default:  tx_byte_o = 8'h00;
    endcase
  end

  assign irq_o       = res_full_q;
  assign in_valid_o  = in_full_q;
  assign in_data_o   = in_q;
  assign out_ready_o = !res_full_q;
  assign reg_we_o    = we_q;
  assign reg_addr_o  = addr_q;
  assign reg_wdata_o = wdata_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= LkCmd;
      is_read_q  <= 1'b0;
      bc_q       <= '0;
      word_q     <= '0;
      addr_q     <= '0;
      wdata_q    <= '0;
      in_q       <= '0;
      rd_q       <= '0;
      we_q       <= 1'b0;
      in_full_q  <= 1'b0;
      ovf_q      <= 1'b0;
      res_full_q <= 1'b0;
      fetch_q    <= '0;
      rd_loads_q <= '0;
      res_q      <= '0;
    end else begin
      we_q <= 1'b0;
      if (we_q) addr_q <= addr_q + 32'd1;
      if (in_valid_o && in_ready_i) in_full_q <= 1'b0;
      if (out_valid_i && out_ready_o) begin
        res_q      <= {out_class_i, out_logits_i};
        res_full_q <= 1'b1;
      end
      if (fetch_q != 2'd0) begin
        fetch_q <= fetch_q - 2'd1;
        if (fetch_q == 2'd1) rd_q <= reg_rdata_i;
      end
      if (rx_valid_i) begin
        word_q <= word[23:0];
        bc_q   <= bc_q + 2'd1;
      end

      if (frame_start_i || frame_end_i) begin
        if (frame_end_i && state_q == LkResult) res_full_q <= 1'b0;
        if (frame_start_i) ovf_q <= 1'b0;  // reported in the status byte board_spi takes now
        state_q <= LkCmd;
        bc_q    <= '0;
      end else begin
        if (tx_load_i) begin
          unique case (state_q)
            LkRead: begin
              rd_q       <= {rd_q[23:0], 8'h00};
              rd_loads_q <= rd_loads_q + 2'd1;
              if (rd_loads_q == 2'd3) begin  // last byte of this word: fetch the next one
                addr_q  <= addr_q + 32'd1;
                fetch_q <= 2'd3;
              end
            end
            LkResult: res_q <= {res_q[ResW-9:0], 8'h00};
            default: ;
          endcase
        end
        if (rx_valid_i) begin
          unique case (state_q)
            LkCmd: begin
              bc_q <= '0;
              unique case (rx_byte_i)
                CmdWrite:   begin state_q <= LkAddr; is_read_q <= 1'b0; end
                CmdRead:    begin state_q <= LkAddr; is_read_q <= 1'b1; end
                CmdSamples: state_q <= LkSamples;
                CmdResult:  state_q <= LkResult;
                default:    state_q <= LkIgnore;
              endcase
            end
            LkAddr: if (word_done) begin
              addr_q <= word;
              if (is_read_q) begin
                state_q <= LkDummy;
                fetch_q <= 2'd3;
              end else begin
                state_q <= LkWrite;
              end
            end
            LkDummy: begin
              state_q    <= LkRead;
              rd_loads_q <= '0;
            end
            LkWrite: if (word_done) begin
              we_q    <= 1'b1;
              wdata_q <= word;
            end
            LkSamples: if (word_done) begin
              if (in_full_q && !(in_valid_o && in_ready_i)) begin
                ovf_q <= 1'b1;
              end else begin
                in_q      <= word;
                in_full_q <= 1'b1;
              end
            end
            default: ;
          endcase
        end
      end
    end
  end
endmodule
