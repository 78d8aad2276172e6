// Vietnamese for the texts of dmn-js's decision-table editor a designer meets first; a text not listed
// keeps dmn-js's own wording. The template's {placeholders} are filled as diagram-js's translate does.
const VI = {
  'Hit policy:': 'Chính sách khớp:',
  'When': 'Khi',
  'Then': 'Thì',
  'And': 'Và',
  'Annotations': 'Ghi chú',
  'Add input': 'Thêm đầu vào',
  'Add output': 'Thêm đầu ra',
  'Input': 'Đầu vào',
  'Output': 'Đầu ra',
  'Input label: ': 'Nhãn đầu vào: ',
  'Input expression: ': 'Biểu thức đầu vào: ',
  'Input values': 'Giá trị đầu vào',
  'Input type': 'Kiểu đầu vào',
  'Output name': 'Tên đầu ra',
  'Output label': 'Nhãn đầu ra',
  'Output values': 'Giá trị đầu ra',
  'Output type': 'Kiểu đầu ra',
  'Decision name: ': 'Tên quyết định: ',
  'View DRD': 'Xem sơ đồ quyết định',
  'Value': 'Giá trị',
  'Values': 'Các giá trị',
  'Type': 'Kiểu',
  'Expression language': 'Ngôn ngữ biểu thức',
  'Predefined values': 'Giá trị định sẵn',
  'Strings must be in double quotes': 'Chuỗi phải đặt trong dấu ngoặc kép',
  'Equals': 'Bằng',
  'Less': 'Nhỏ hơn',
  'Less or equals': 'Nhỏ hơn hoặc bằng',
  'Greater': 'Lớn hơn',
  'Greater or equals': 'Lớn hơn hoặc bằng',
  'Between': 'Trong khoảng',
  'Include': 'Gồm',
  'Exclude': 'Trừ',
  'Yes': 'Có',
  'No': 'Không',
};

export default function translate(template, replacements) {
  const text = VI[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => (replacements || {})[key] ?? `{${key}}`);
}
