#!/usr/bin/env python3
"""Builds ops/seed/thanh-hoa-units.json: the 1,443 units of the Thanh Hoá registry.

Deterministic: the same input gives the same file, byte for byte.
- Real: the 26 districts and 549 communes with their names, from
  ../shared/data/thanh-hoa-admin-units-2025-03.json (GSO list of 1/3/2025). The GSO code of each
  is kept as the unit's secondary code ("gso:NNNNN").
- Generated (plausible names, not official): central-level bodies present in the province and
  their branches, provincial departments and the units under them, district offices.
- QCVN 102 codes are generated in the province's space H56 (unconfirmed against the official list):
  departments and districts take level 2 (000.00.CC.H56), communes and units under a department or
  district level 3 (000.BB.CC.H56). Central bodies take G-codes of their (generated) ministry.

Usage: python3 ops/seed/generate_units.py [SOURCE_JSON] > ops/seed/thanh-hoa-units.json
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/data/thanh-hoa-admin-units-2025-03.json")
PROVINCE = "H56"
COUNCIL = "K56"
VALID_FROM = "2019-03-12"  # the axis went live; earlier history is not in this registry
TOTAL = 1443

units = []


def add(code, name, tier, parent=None, secondary=None):
    assert len(code) == 13, code
    units.append({
        "code": code, "secondaryCode": secondary, "name": name, "tier": tier, "parent": parent,
        "status": "active", "validFrom": VALID_FROM,
        "email": "vanthu." + code.replace(".", "").lower() + "@thanhhoa.gov.vn",
    })


with open(SOURCE, encoding="utf-8") as f:
    source = json.load(f)

# Province: People's Committee, People's Council and its office.
ubnd = f"000.00.00.{PROVINCE}"
add(ubnd, "Ủy ban nhân dân tỉnh Thanh Hóa", "province", secondary="gso:" + source["province"]["gso_code"])
hdnd = f"000.00.00.{COUNCIL}"
add(hdnd, "Hội đồng nhân dân tỉnh Thanh Hóa", "province")
add(f"000.00.01.{COUNCIL}", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh Thanh Hóa", "province", hdnd)

# Departments (level 2) and how many units each has under it (level 3, generated).
departments = [
    ("Văn phòng Ủy ban nhân dân tỉnh", 6, ["Trung tâm Phục vụ hành chính công", "Cổng thông tin điện tử", "Nhà khách", "Trung tâm Thông tin - Công báo", "Ban Tiếp công dân", "Phòng Hành chính - Tổ chức"]),
    ("Sở Nội vụ", 8, ["Ban Thi đua - Khen thưởng", "Ban Tôn giáo", "Chi cục Văn thư - Lưu trữ", "Trung tâm Lưu trữ lịch sử", "Trung tâm Dịch vụ việc làm", "Thanh tra Sở", "Văn phòng Sở", "Trung tâm Bảo trợ xã hội"]),
    ("Sở Tài chính", 10, ["Chi cục Quản lý giá", "Trung tâm Xúc tiến đầu tư", "Ban Quản lý Khu kinh tế Nghi Sơn", "Thanh tra Sở", "Văn phòng Sở", "Trung tâm Dịch vụ tài chính công", "Chi cục Thống kê nội bộ", "Ban Quản lý dự án ODA", "Trung tâm Hỗ trợ doanh nghiệp", "Quỹ Đầu tư phát triển"]),
    ("Sở Tư pháp", 8, ["Trung tâm Trợ giúp pháp lý", "Phòng Công chứng số 1", "Phòng Công chứng số 2", "Phòng Công chứng số 3", "Trung tâm Dịch vụ đấu giá tài sản", "Thanh tra Sở", "Văn phòng Sở", "Chi cục Hành chính tư pháp"]),
    ("Sở Công Thương", 8, ["Chi cục Quản lý thị trường", "Trung tâm Khuyến công", "Trung tâm Xúc tiến thương mại", "Thanh tra Sở", "Văn phòng Sở", "Ban Quản lý các cụm công nghiệp", "Trung tâm Tiết kiệm năng lượng", "Chi cục Công nghiệp"]),
    ("Sở Xây dựng", 12, ["Ban Quản lý dự án giao thông", "Ban Quản lý dự án dân dụng", "Trung tâm Kiểm định chất lượng xây dựng", "Thanh tra Sở", "Văn phòng Sở", "Trung tâm Quy hoạch đô thị", "Chi cục Giám định xây dựng", "Cảng vụ đường thủy nội địa", "Trung tâm Đăng kiểm xe cơ giới 1", "Trung tâm Đăng kiểm xe cơ giới 2", "Trung tâm Quản lý hạ tầng giao thông", "Ban Quản lý bến xe"]),
    ("Sở Nông nghiệp và Môi trường", 40, None),
    ("Sở Giáo dục và Đào tạo", 99, None),
    ("Sở Y tế", 80, None),
    ("Sở Khoa học và Công nghệ", 8, ["Chi cục Tiêu chuẩn Đo lường Chất lượng", "Trung tâm Chuyển đổi số", "Trung tâm Kỹ thuật đo lường", "Trung tâm Ứng dụng tiến bộ khoa học", "Thanh tra Sở", "Văn phòng Sở", "Trung tâm Giám sát điều hành đô thị thông minh", "Trung tâm Thông tin khoa học"]),
    ("Sở Văn hóa, Thể thao và Du lịch", 16, ["Bảo tàng tỉnh", "Thư viện tỉnh", "Trung tâm Văn hóa tỉnh", "Nhà hát Nghệ thuật truyền thống", "Trung tâm Huấn luyện thể thao", "Trung tâm Xúc tiến du lịch", "Ban Quản lý di tích Thành Nhà Hồ", "Ban Quản lý di tích Lam Kinh", "Ban Quản lý di tích Hàm Rồng", "Trường Cao đẳng Văn hóa Nghệ thuật", "Trung tâm Phát hành phim", "Thanh tra Sở", "Văn phòng Sở", "Đoàn Nghệ thuật dân tộc", "Trung tâm Bảo tồn di sản", "Ban Quản lý Khu du lịch Sầm Sơn"]),
    ("Sở Dân tộc và Tôn giáo", 4, ["Thanh tra Sở", "Văn phòng Sở", "Trung tâm Hỗ trợ đồng bào dân tộc", "Ban Quản lý chương trình mục tiêu"]),
    ("Sở Ngoại vụ", 3, ["Trung tâm Dịch vụ đối ngoại", "Văn phòng Sở", "Thanh tra Sở"]),
    ("Thanh tra tỉnh", 3, ["Phòng Tiếp dân", "Văn phòng Thanh tra", "Phòng Giám sát"]),
    ("Ban Dân tộc tỉnh", 2, ["Văn phòng Ban", "Phòng Chính sách"]),
    ("Ban Quản lý Khu kinh tế và các khu công nghiệp", 6, ["Trung tâm Dịch vụ hỗ trợ đầu tư", "Ban Quản lý dự án", "Văn phòng Ban", "Phòng Quản lý doanh nghiệp", "Phòng Quy hoạch xây dựng", "Phòng Môi trường"]),
    ("Đài Phát thanh và Truyền hình tỉnh", 4, ["Trung tâm Sản xuất chương trình", "Trung tâm Kỹ thuật", "Phòng Thời sự", "Văn phòng Đài"]),
    ("Trường Đại học Hồng Đức", 6, ["Khoa Kinh tế", "Khoa Kỹ thuật công nghệ", "Khoa Sư phạm", "Trung tâm Giáo dục thường xuyên", "Thư viện", "Phòng Đào tạo"]),
    ("Trường Đại học Văn hóa, Thể thao và Du lịch", 4, ["Khoa Du lịch", "Khoa Nghệ thuật", "Thư viện", "Phòng Đào tạo"]),
    ("Liên minh Hợp tác xã tỉnh", 2, ["Quỹ Hỗ trợ phát triển hợp tác xã", "Trung tâm Tư vấn hợp tác xã"]),
    ("Quỹ Bảo vệ môi trường", 1, ["Văn phòng Quỹ"]),
]

districts = source["districts"]
assert len(districts) == 26, len(districts)
district_names = [d["name"] for d in districts]
short_district = [d["name"][len(d["type"]) + 1:] for d in districts]  # "Thị xã Nghi Sơn" -> "Nghi Sơn"


def sub_units(name, count, fixed):
    if fixed:
        return [f"{x} - {name}" for x in fixed][:count]
    if name == "Sở Giáo dục và Đào tạo":
        out = []
        for i in range(count):
            d = short_district[i % 26]
            n = i // 26 + 1
            out.append(f"Trường THPT {d} {n}")
        return out
    if name == "Sở Y tế":
        out = [f"Trung tâm Y tế {district_names[i].replace('Huyện ', 'huyện ').replace('Thị xã ', 'thị xã ').replace('Thành phố ', 'thành phố ')}" for i in range(26)]
        hospitals = ["Bệnh viện Đa khoa tỉnh", "Bệnh viện Nhi", "Bệnh viện Phụ sản", "Bệnh viện Y dược cổ truyền", "Bệnh viện Phổi", "Bệnh viện Tâm thần", "Bệnh viện Mắt", "Bệnh viện Da liễu", "Bệnh viện Ung bướu", "Bệnh viện Phục hồi chức năng", "Bệnh viện Nội tiết", "Bệnh viện Đa khoa khu vực Ngọc Lặc", "Bệnh viện Đa khoa khu vực Tĩnh Gia", "Bệnh viện Đa khoa khu vực Hải Tiến", "Trung tâm Kiểm soát bệnh tật", "Trung tâm Pháp y", "Trung tâm Giám định y khoa", "Trung tâm Kiểm nghiệm", "Chi cục Dân số", "Chi cục An toàn vệ sinh thực phẩm", "Trung tâm Cấp cứu 115", "Trường Cao đẳng Y tế", "Thanh tra Sở", "Văn phòng Sở"]
        out += [f"{h} (Sở Y tế)" for h in hospitals]
        i = 0
        while len(out) < count:
            out.append(f"Phòng khám đa khoa khu vực {short_district[i % 26]} {i // 26 + 1}")
            i += 1
        return out[:count]
    if name == "Sở Nông nghiệp và Môi trường":
        base = ["Chi cục Kiểm lâm", "Chi cục Thủy lợi", "Chi cục Chăn nuôi và Thú y", "Chi cục Trồng trọt và Bảo vệ thực vật", "Chi cục Thủy sản", "Chi cục Bảo vệ môi trường", "Chi cục Quản lý đất đai", "Văn phòng Đăng ký đất đai", "Trung tâm Quan trắc môi trường", "Trung tâm Khuyến nông", "Trung tâm Nước sạch nông thôn", "Ban Quản lý rừng phòng hộ Mường Lát", "Ban Quản lý rừng phòng hộ Quan Hóa", "Ban Quản lý Khu bảo tồn Pù Luông", "Vườn quốc gia Bến En", "Thanh tra Sở", "Văn phòng Sở"]
        out = [f"{b} (Sở Nông nghiệp và Môi trường)" for b in base]
        i = 0
        while len(out) < count:
            out.append(f"Hạt Kiểm lâm {short_district[i % 26]}")
            i += 1
        return out[:count]
    raise ValueError(name)


for cc, (name, count, fixed) in enumerate(departments, start=1):
    code = f"000.00.{cc:02d}.{PROVINCE}"
    add(code, name + " tỉnh Thanh Hóa" if name.startswith("Sở") else name, "province", ubnd)
    for bb, sub in enumerate(sub_units(name, count, fixed), start=1):
        add(f"000.{bb:02d}.{cc:02d}.{PROVINCE}", sub, "province", code)

# District People's Committees (level 2, CC 30..55), their communes (BB 01..49) and offices (BB 60..71).
offices = ["Văn phòng HĐND và UBND", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Tư pháp",
           "Phòng Văn hóa và Thông tin", "Phòng Giáo dục và Đào tạo", "Phòng Y tế", "Phòng Tài nguyên và Môi trường",
           "Phòng Lao động - Thương binh và Xã hội", "Phòng Kinh tế và Hạ tầng", "Phòng Nông nghiệp và Phát triển nông thôn",
           "Thanh tra"]
for i, d in enumerate(districts):
    cc = 30 + i
    code = f"000.00.{cc:02d}.{PROVINCE}"
    add(code, f"Ủy ban nhân dân {d['name'].replace('Huyện', 'huyện').replace('Thị xã', 'thị xã').replace('Thành phố', 'thành phố')}", "district", ubnd, "gso:" + d["gso_code"])
    assert len(d["communes"]) <= 59
    for bb, c in enumerate(d["communes"], start=1):
        add(f"000.{bb:02d}.{cc:02d}.{PROVINCE}", f"Ủy ban nhân dân {c['name'][0].lower()}{c['name'][1:]}", "commune", code, "gso:" + c["gso_code"])
    for k, o in enumerate(offices):
        add(f"000.{60 + k:02d}.{cc:02d}.{PROVINCE}", f"{o} {short_district[i]}", "district", code)

# Central-level bodies present in the province (generated G-codes) and their branches.
central = [
    ("G09", "Cục Thuế tỉnh Thanh Hóa", ["Chi cục Thuế khu vực " + str(n) for n in range(1, 11)]),
    ("G09", "Kho bạc Nhà nước khu vực Thanh Hóa", ["Phòng Giao dịch Kho bạc " + s for s in short_district]),
    ("G09", "Cục Hải quan Thanh Hóa", []),
    ("G09", "Cục Thống kê tỉnh Thanh Hóa", ["Chi cục Thống kê " + s for s in short_district]),
    ("G10", "Bảo hiểm xã hội tỉnh Thanh Hóa", ["Bảo hiểm xã hội " + s for s in short_district]),
    ("G11", "Công an tỉnh Thanh Hóa", ["Công an " + s for s in short_district]),
    ("G12", "Bộ Chỉ huy Quân sự tỉnh Thanh Hóa", []),
    ("G13", "Tòa án nhân dân tỉnh Thanh Hóa", ["Tòa án nhân dân " + s for s in short_district]),
    ("G14", "Viện Kiểm sát nhân dân tỉnh Thanh Hóa", ["Viện Kiểm sát nhân dân " + s for s in short_district]),
    ("G15", "Ngân hàng Nhà nước chi nhánh Thanh Hóa", []),
    ("G16", "Thi hành án dân sự tỉnh Thanh Hóa", ["Phòng Thi hành án dân sự khu vực " + str(n) for n in range(1, 25)]),
    ("G17", "Bưu điện tỉnh Thanh Hóa", []),
]
for k, (level1, name, branches) in enumerate(central, start=1):
    code = f"000.00.{50 + k:02d}.{level1}"
    add(code, name, "central")
    for bb, b in enumerate(branches, start=1):
        add(f"000.{bb:02d}.{50 + k:02d}.{level1}", b, "central", code)

codes = [u["code"] for u in units]
assert len(set(codes)) == len(codes), "duplicate code"
assert len(units) == TOTAL, f"{len(units)} units, want {TOTAL}"

# One unit a line: the importer reports errors by line number.
sys.stdout.write("[\n" + ",\n".join(json.dumps(u, ensure_ascii=False, separators=(",", ":")) for u in units) + "\n]\n")
