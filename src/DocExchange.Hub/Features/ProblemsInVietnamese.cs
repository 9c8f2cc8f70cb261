namespace DocExchange.Hub.Features;

/// <summary>
/// Problem details in Vietnamese for a client that asks for vi (Accept-Language: vi, vi-VN): the title
/// and detail become Vietnamese, the stable <c>code</c> and every other field stay as they are, and the
/// English detail (which names the values: unit codes, dates, numbers) is kept as <c>detailEn</c>.
/// </summary>
public static class ProblemsInVietnamese
{
    /// <summary>Whether the request prefers Vietnamese over English (q-values honoured; no header: English).</summary>
    public static bool Wanted(HttpRequest request)
    {
        var preferred = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is not 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .FirstOrDefault(l => l.Value.Value is { } v && (v.StartsWith("vi", StringComparison.OrdinalIgnoreCase) || v.StartsWith("en", StringComparison.OrdinalIgnoreCase)));
        return preferred?.Value.Value?.StartsWith("vi", StringComparison.OrdinalIgnoreCase) == true;
    }

    public static void Translate(ProblemDetailsContext context)
    {
        if (!Wanted(context.HttpContext.Request))
        {
            return;
        }
        var problem = context.ProblemDetails;
        var code = problem.Extensions.TryGetValue("code", out var c) ? c?.ToString() : null;
        context.HttpContext.Response.Headers.ContentLanguage = "vi";
        if (code is not null && Catalogue.TryGetValue(code, out var vi))
        {
            if (problem.Detail is { Length: > 0 } english && english != vi.Detail)
            {
                problem.Extensions["detailEn"] = english;
            }
            problem.Title = vi.Title;
            problem.Detail = vi.Detail;
            return;
        }
        // A code without an entry (or a bare status page): a Vietnamese title by status, the English detail kept.
        problem.Title = TitleOf(problem.Status ?? 500);
    }

    private static string TitleOf(int status) => status switch
    {
        400 => "Yêu cầu không đọc được",
        401 => "Chưa xác thực: cần mã truy cập (token)",
        403 => "Không có quyền",
        404 => "Không tìm thấy",
        405 => "Phương thức không được hỗ trợ",
        409 => "Xung đột với dữ liệu hiện có",
        410 => "Đã bị thu hồi",
        413 => "Dữ liệu quá lớn",
        415 => "Kiểu nội dung không được hỗ trợ",
        422 => "Yêu cầu không hợp lệ",
        503 => "Dịch vụ tạm thời không sẵn sàng",
        _ => "Lỗi máy chủ",
    };

    /// <summary>Every code the hub answers with: a Vietnamese title and what it means and what to do.</summary>
    public static readonly IReadOnlyDictionary<string, (string Title, string Detail)> Catalogue = new Dictionary<string, (string, string)>
    {
        // Who may do what
        ["unauthenticated"] = ("Chưa xác thực", "Gửi 'Authorization: Bearer <mã truy cập>' với thông tin xác thực do quản trị viên cấp (dex credentials issue)."),
        ["acting-as-another-unit"] = ("Đơn vị gửi không khớp", "Gói tin hoặc yêu cầu nhân danh một đơn vị khác với đơn vị của thông tin xác thực. Mỗi đơn vị chỉ gửi văn bản của chính mình."),
        ["not-your-unit"] = ("Không thuộc đơn vị của bạn", "Thông tin xác thực này chỉ xem được dữ liệu của đơn vị mình."),
        ["not-the-sender"] = ("Không phải đơn vị gửi", "Chỉ đơn vị gửi mới được thu hồi văn bản; đơn vị nhận hãy dùng trạng thái nghiệp vụ."),
        ["forbidden-role"] = ("Vai trò không được phép", "Vai trò của thông tin xác thực này không được thực hiện thao tác này."),
        ["unit-not-allowed"] = ("Không gắn đơn vị cho vai trò này", "Thông tin xác thực của quản trị viên hoặc kiểm toán viên không gắn với đơn vị; bỏ trường 'unit'."),
        ["auth-missing"] = ("Thiếu xác thực hệ thống", "Yêu cầu /vxp thiếu systemid, thời điểm hoặc chữ ký HMAC; hệ thống địa phương cần gửi đủ các tiêu đề xác thực."),
        ["bad-signature"] = ("Chữ ký HMAC không đúng", "Chữ ký HMAC của yêu cầu không khớp với mã bí mật của hệ thống; kiểm tra mã bí mật đã cấp."),
        ["bad-timestamp"] = ("Thời điểm không đọc được", "Tiêu đề thời điểm của yêu cầu không đúng định dạng; gửi theo giờ Việt Nam, dạng yyyy-MM-ddTHH:mm:ss."),
        ["timestamp-out-of-window"] = ("Thời điểm lệch quá xa", "Thời điểm của yêu cầu lệch quá nhiều so với đồng hồ của hệ thống trục; chỉnh lại đồng hồ máy gửi."),
        ["unknown-system"] = ("Không có hệ thống này", "Không tìm thấy hệ thống (systemid) được nêu; xem danh sách bằng dex systems list."),
        ["units-required"] = ("Thiếu đơn vị", "Cần nêu mã các đơn vị mà hệ thống hoạt động thay mặt."),

        // Registry
        ["unknown-unit"] = ("Không có đơn vị này", "Mã đơn vị không có trong danh mục; kiểm tra mã (dex units list) hoặc đề nghị quản trị viên đăng ký."),
        ["unit-exists"] = ("Đơn vị đã tồn tại", "Mã đơn vị này đã được đăng ký; để sửa, dùng cập nhật đơn vị."),
        ["unit-retired"] = ("Đơn vị đã giải thể", "Đơn vị này đã giải thể hoặc sáp nhập; hãy dùng đơn vị kế thừa."),
        ["unit-status"] = ("Trạng thái đơn vị không cho phép", "Trạng thái hiện tại của đơn vị không cho phép thao tác này."),
        ["code-immutable"] = ("Không được đổi mã đơn vị", "Mã đơn vị không bao giờ thay đổi; hãy đăng ký mã mới và cho đơn vị cũ giải thể với đơn vị kế thừa."),
        ["invalid-unit"] = ("Thông tin đơn vị không hợp lệ", "Thông tin đơn vị có trường không hợp lệ; xem danh sách lỗi kèm theo."),
        ["invalid-unit-code"] = ("Mã đơn vị sai định dạng", "Mã định danh đơn vị phải theo dạng 000.00.00.A00 của quy chuẩn; kiểm tra lại mã."),
        ["invalid-tier"] = ("Cấp hành chính không hợp lệ", "Cấp phải là một trong: central, province, district, commune."),
        ["invalid-status"] = ("Trạng thái không hợp lệ", "Trạng thái đơn vị phải là một trong: active, suspended, retired."),
        ["invalid-state"] = ("Trạng thái không hợp lệ", "Trạng thái phải là một trong các giá trị được liệt kê trong thông báo tiếng Anh kèm theo."),
        ["invalid-successor"] = ("Đơn vị kế thừa không hợp lệ", "Đơn vị kế thừa phải là một đơn vị khác, đã đăng ký và đang hoạt động."),
        ["invalid-reorganisation"] = ("Tệp sắp xếp lại không hợp lệ", "Tệp sắp xếp đơn vị có lỗi; không có gì bị thay đổi. Sửa các dòng được liệt kê rồi chạy lại."),
        ["import-rejected"] = ("Không nhập được danh mục", "Không có đơn vị nào được nhập vì tệp có lỗi; sửa mọi dòng được liệt kê rồi nhập lại."),
        ["not-utf8"] = ("Tệp không phải UTF-8", "Tệp CSV không ở bảng mã UTF-8. Trong Excel chọn Lưu thành \"CSV UTF-8 (Comma delimited)\", hoặc nêu bảng mã (charset=windows-1258, dex --encoding windows-1258)."),
        ["unknown-encoding"] = ("Bảng mã không được hỗ trợ", "Bảng mã được nêu không được hỗ trợ; dùng UTF-8 hoặc windows-1258."),
        ["invalid-certificate"] = ("Chứng thư số không hợp lệ", "Chứng thư số không đọc được; gửi chứng thư X.509 dạng PEM (-----BEGIN CERTIFICATE-----)."),
        ["certificate-already-registered"] = ("Chứng thư số đã được đăng ký", "Chứng thư số này đã được đăng ký cho một đơn vị."),
        ["certificate-key-refused"] = ("Khóa của chứng thư không được chấp nhận", "Chứng thư số này không dùng để ký gói tin được (khóa quá yếu hoặc sai mục đích sử dụng)."),
        ["unknown-certificate"] = ("Không có chứng thư số này", "Đơn vị không có chứng thư số với mã SHA-256 đã nêu; xem danh sách bằng dex units cert list."),
        ["unknown-credential"] = ("Không có thông tin xác thực này", "Không tìm thấy thông tin xác thực đã nêu."),
        ["invalid-role"] = ("Vai trò không hợp lệ", "Vai trò phải là một trong: clerk, admin, auditor."),

        // Documents
        ["malformed-submission"] = ("Yêu cầu gửi văn bản sai cấu trúc", "Nội dung gửi lên không đọc được; gửi JSON hoặc multipart với phần 'metadata'."),
        ["missing-metadata"] = ("Thiếu thông tin văn bản", "Yêu cầu không có phần 'metadata' (JSON) mô tả văn bản."),
        ["invalid-document"] = ("Văn bản không hợp lệ", "Một hoặc nhiều trường của văn bản không hợp lệ (số, ký hiệu, trích yếu, ngày, hạn xử lý...); xem danh sách lỗi kèm theo."),
        ["invalid-recipients"] = ("Nơi nhận không hợp lệ", "Một hoặc nhiều nơi nhận không hợp lệ; xem danh sách lỗi theo từng nơi nhận."),
        ["unknown-recipient"] = ("Nơi nhận chưa đăng ký", "Mã nơi nhận không có trong danh mục; kiểm tra mã (dex units list) hoặc đề nghị quản trị viên đăng ký."),
        ["recipient-retired"] = ("Nơi nhận đã giải thể", "Đơn vị nhận đã giải thể và không có đơn vị kế thừa, hoặc văn bản yêu cầu không chuyển tiếp."),
        ["recipient-suspended"] = ("Nơi nhận đang tạm dừng", "Đơn vị nhận đang bị tạm dừng trao đổi văn bản; liên hệ quản trị viên."),
        ["recipient-is-sender"] = ("Gửi cho chính mình", "Đơn vị không gửi văn bản cho chính mình."),
        ["empty-group"] = ("Nhóm nơi nhận trống", "Nhóm nơi nhận không có đơn vị nào đang hoạt động."),
        ["sender-not-active"] = ("Đơn vị gửi không hoạt động", "Đơn vị gửi đang tạm dừng hoặc đã giải thể nên không gửi được văn bản."),
        ["duplicate-document-id"] = ("Trùng mã văn bản", "Đơn vị đã gửi một văn bản với cùng DocumentId; mỗi DocumentId chỉ dùng cho một văn bản."),
        ["duplicate-document-number"] = ("Trùng số, ký hiệu văn bản", "Số/ký hiệu này đã được đơn vị dùng trong năm; dùng số tiếp theo hoặc gửi văn bản cập nhật."),
        ["document-id-mismatch"] = ("DocumentId không khớp", "DocumentId phải ghép từ mã đơn vị gửi, ngày ban hành và số/ký hiệu của chính gói tin."),
        ["idempotency-key-reused"] = ("Khóa chống gửi trùng đã dùng", "Khóa Idempotency-Key này đã dùng cho một văn bản khác; mỗi văn bản mới cần khóa mới."),
        ["unknown-document"] = ("Không có văn bản này", "Không tìm thấy văn bản, hoặc văn bản không thuộc phạm vi của bạn."),
        ["unknown-original"] = ("Không có văn bản được trả lời", "Văn bản được trả lời không có trong hộp thư đến của đơn vị."),
        ["unknown-attachment"] = ("Không có tệp đính kèm này", "Văn bản không có tệp đính kèm được nêu."),
        ["no-package"] = ("Không có gói tin edXML", "Văn bản được gửi dạng JSON, không có gói edXML đã ký; hãy tải các tệp đính kèm."),
        ["external-needs-package"] = ("Cần gói tin đã ký", "Nơi nhận ngoài tỉnh chỉ nhận qua trục liên thông quốc gia, nơi chỉ chấp nhận gói edXML có chữ ký số; hãy ký và gửi gói tin (dex send --key)."),
        ["document-cancelled"] = ("Văn bản đã bị thu hồi", "Đơn vị gửi đã thu hồi văn bản này; không cần xử lý."),
        ["package-too-large"] = ("Gói tin quá lớn", "Gói tin vượt quá dung lượng tối đa; chia tệp đính kèm sang nhiều văn bản hoặc đề nghị quản trị viên nâng giới hạn."),
        ["concurrent-change"] = ("Thay đổi đồng thời", "Một thay đổi khác vừa được ghi cùng lúc; đọc lại trạng thái hiện tại trước khi thử lại."),
        ["already-acknowledged"] = ("Đã xác nhận", "Bản văn bản này đã được xác nhận (đã nhận hoặc từ chối) trước đó."),
        ["invalid-ack"] = ("Xác nhận không hợp lệ", "Kết quả xác nhận phải là done hoặc fail (kèm lý do)."),
        ["already-signed"] = ("Gói tin đã có chữ ký", "Gói tin đã có chữ ký số; không ký lại."),
        ["already-decided"] = ("Đã quyết định", "Gói tin trong khu cách ly đã được cho qua hoặc từ chối trước đó."),
        ["unknown-quarantine"] = ("Không có gói tin cách ly này", "Không tìm thấy gói tin trong khu cách ly; xem danh sách bằng dex quarantine list."),

        // Business statuses and recalls
        ["status-code-not-allowed"] = ("Mã trạng thái không được gửi", "Mã trạng thái này do trục tự phát hành hoặc không dùng cho bên gửi yêu cầu."),
        ["status-not-allowed"] = ("Trạng thái không được phép", "Trạng thái nghiệp vụ này không được phép ở trạng thái hiện tại của văn bản."),
        ["reason-required"] = ("Thiếu lý do", "Trạng thái 02 (từ chối) và yêu cầu thu hồi cần nêu lý do."),
        ["nothing-to-recall"] = ("Không còn gì để thu hồi", "Văn bản đã kết thúc ở mọi nơi nhận (từ chối, hoàn thành hoặc đã hủy)."),
        ["unknown-status"] = ("Không có trạng thái này", "Không tìm thấy trạng thái nghiệp vụ được nêu, hoặc bạn không được xem."),
        ["no-hub-status"] = ("Trục chưa phát hành trạng thái này", "Trục chưa phát hành trạng thái được nêu cho văn bản và đơn vị này."),

        // Packages and signatures
        ["malformed-xml"] = ("XML sai cấu trúc", "Gói tin không phải XML hợp lệ; kiểm tra phần mềm tạo gói tin."),
        ["too-deep"] = ("XML lồng quá sâu", "Gói tin có cấu trúc lồng quá sâu và bị từ chối để bảo vệ hệ thống."),
        ["dtd-prohibited"] = ("XML chứa DTD", "Gói tin chứa khai báo DTD, không được phép vì lý do an toàn."),
        ["not-edxml"] = ("Không phải gói edXML", "Tài liệu XML không phải gói tin edXML theo quy chuẩn."),
        ["wrong-namespace"] = ("Sai không gian tên edXML", "Gói tin dùng không gian tên XML khác với quy chuẩn edXML."),
        ["missing-envelope"] = ("Thiếu phần bao edXML", "Gói tin thiếu phần Envelope của edXML."),
        ["missing-header"] = ("Thiếu phần đầu edXML", "Gói tin thiếu phần MessageHeader của edXML."),
        ["header-mismatch"] = ("Phần đầu không khớp", "Thông tin trong phần đầu gói tin không khớp với yêu cầu."),
        ["duplicate-id"] = ("Trùng mã phần tử", "Gói tin có hai phần tử cùng mã Id; chữ ký không xác định được phần được ký."),
        ["attachment-not-base64"] = ("Tệp đính kèm sai mã hóa", "Nội dung tệp đính kèm không phải base64 hợp lệ."),
        ["attachment-content-repeated"] = ("Tệp đính kèm có hai nội dung", "Một tệp đính kèm có nhiều hơn một phần ContentTransferEncoded; mỗi tệp đính kèm chỉ mang một nội dung."),
        ["hash-mismatch"] = ("Mã băm không khớp", "Mã băm SHA-256 gửi kèm không khớp với nội dung gói tin."),
        ["signature-missing"] = ("Thiếu chữ ký số", "Gói tin không có chữ ký số."),
        ["signature-required"] = ("Đơn vị phải ký số", "Quản trị viên đã yêu cầu đơn vị này chỉ gửi gói tin có chữ ký số; ký gói tin trước khi gửi."),
        ["signature-invalid"] = ("Chữ ký số không hợp lệ", "Chữ ký số không khớp với nội dung: gói tin đã bị sửa sau khi ký, hoặc được ký sai."),
        ["signature-malformed"] = ("Chữ ký số sai cấu trúc", "Phần chữ ký XML-DSig không đọc được."),
        ["signature-multiple"] = ("Nhiều chữ ký số", "Gói tin có nhiều chữ ký; quy chuẩn yêu cầu đúng một chữ ký trên toàn gói."),
        ["signature-not-whole-package"] = ("Chữ ký không phủ toàn gói", "Chữ ký số phải ký toàn bộ gói tin (tham chiếu URI rỗng)."),
        ["signature-not-xmldsig"] = ("Không phải chữ ký XML-DSig", "Chữ ký không theo chuẩn XML-DSig."),
        ["signature-no-certificate"] = ("Chữ ký thiếu chứng thư", "Chữ ký không kèm chứng thư số của người ký (X509Certificate)."),
        ["signature-key-too-weak"] = ("Khóa ký quá yếu", "Khóa ký quá ngắn; dùng RSA từ 2048 bit hoặc ECDSA."),
        ["signature-algorithm-refused"] = ("Thuật toán ký không được chấp nhận", "Gói tin ký bằng SHA-1, chỉ được chấp nhận từ đơn vị mà quản trị viên cho phép; ký lại bằng SHA-256."),
        ["certificate-untrusted"] = ("Chứng thư số không được tin cậy", "Chứng thư số không do tổ chức chứng thực được tin cậy cấp."),
        ["certificate-expired"] = ("Chứng thư số hết hạn", "Chứng thư số của người ký đã hết hạn; gia hạn chứng thư rồi ký lại."),
        ["certificate-not-yet-valid"] = ("Chứng thư số chưa có hiệu lực", "Chứng thư số của người ký chưa đến ngày có hiệu lực."),
        ["certificate-revoked"] = ("Chứng thư số đã bị thu hồi", "Chứng thư số của người ký đã bị thu hồi; ký bằng chứng thư còn hiệu lực."),
        ["certificate-not-registered"] = ("Chứng thư số chưa đăng ký", "Chứng thư ký không được đăng ký cho đơn vị nào; đề nghị quản trị viên đăng ký (dex units cert add)."),
        ["certificate-of-another-unit"] = ("Chứng thư số của đơn vị khác", "Gói tin được ký bằng chứng thư đăng ký cho đơn vị khác với đơn vị gửi."),
        ["signing-time-in-future"] = ("Thời điểm ký ở tương lai", "Thời điểm ký của gói tin ở tương lai; kiểm tra đồng hồ máy gửi."),
        ["signing-time-too-old"] = ("Gói tin ký quá lâu", "Gói tin được ký quá lâu trước khi gửi; ký lại rồi gửi."),
        ["trust-not-configured"] = ("Chưa cấu hình tin cậy", "Trục chưa được cấu hình chứng thư gốc tin cậy nên không kiểm tra được chữ ký; liên hệ quản trị viên."),
        ["hub-signing-not-configured"] = ("Trục chưa có chứng thư ký", "Trục chưa được cấu hình chứng thư để ký; liên hệ quản trị viên."),
        ["hub-cannot-seal"] = ("Trục không niêm phong được", "Trục chưa được cấu hình chứng thư để niêm phong gói tin; liên hệ quản trị viên."),
        ["invalid-docid"] = ("Mã văn bản trên trục không hợp lệ", "Mã văn bản (docid) không hợp lệ."),
        ["messagetype-mismatch"] = ("Loại gói tin không khớp", "Loại gói tin (edoc hoặc status) không khớp với nội dung."),
        ["to-mismatch"] = ("Nơi nhận không khớp", "Danh sách nơi nhận của yêu cầu không khớp với gói tin."),
        ["not-found"] = ("Không tìm thấy", "Không tìm thấy đối tượng được yêu cầu."),
        ["unknown-agency"] = ("Cơ quan không có trên trục", "Cơ quan được nêu không có trong danh sách của trục liên thông quốc gia."),
        ["agency-list-unavailable"] = ("Chưa có danh sách cơ quan", "Chưa lấy được danh sách cơ quan từ trục liên thông quốc gia; thử lại sau."),

        // Ledger and service
        ["no-checkpoint"] = ("Sổ cái chưa có điểm chốt", "Sổ cái chưa có điểm chốt đã ký; quản trị viên có thể ký một điểm chốt mới."),
        ["not-yet-in-ledger"] = ("Chưa vào sổ cái", "Văn bản chưa có mục trong sổ cái; sổ cái ghi nhận trong một hai giây, hãy thử lại."),
        ["invalid-proof-request"] = ("Yêu cầu chứng minh không hợp lệ", "Yêu cầu cần 0 <= seq < size <= kích thước hiện tại của sổ cái; lấy size từ một điểm chốt đã ký."),
        ["intake-busy"] = ("Trục đang bận tiếp nhận các gói tin khác", "Bộ nhớ dành cho việc tiếp nhận gói tin đang dùng hết; không có gì bị đọc hay ghi. Gửi lại sau thời gian nêu trong Retry-After."),
        ["database-unavailable"] = ("Cơ sở dữ liệu tạm thời không sẵn sàng", "Cơ sở dữ liệu của trục đang gián đoạn; không có gì bị ghi. Gửi lại sau thời gian nêu trong Retry-After."),
    };
}
