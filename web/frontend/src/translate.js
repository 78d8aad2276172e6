// Vietnamese for the labels bpmn-js and its properties panel show (the page's language comes in the config;
// English keeps the libraries' own texts).
const VI = {
  General: 'Chung',
  Name: 'Tên',
  ID: 'Mã phần tử',
  Documentation: 'Mô tả',
  'Element documentation': 'Mô tả phần tử',
  'Process documentation': 'Mô tả quy trình',
  Process: 'Quy trình',
  'Process name': 'Tên quy trình',
  'Process ID': 'Mã quy trình',
  Executable: 'Chạy được',
  Timer: 'Hẹn giờ',
  Type: 'Loại',
  Value: 'Giá trị',
  Date: 'Thời điểm',
  Duration: 'Khoảng thời gian',
  Cycle: 'Chu kỳ',
  '<none>': '<không có>',
  Message: 'Thông điệp',
  Signal: 'Tín hiệu',
  'Global message reference': 'Thông điệp',
  'Global signal reference': 'Tín hiệu',
  'Create new ...': 'Tạo mới…',
  'Multi-instance': 'Nhiều lần (multi-instance)',
  'Loop cardinality': 'Số lần',
  'Completion condition': 'Điều kiện hoàn thành',
  Error: 'Lỗi',
  Escalation: 'Chuyển cấp',
  Link: 'Liên kết',
  Compensation: 'Bù trừ',
  'ID must be unique.': 'Mã phần tử phải là duy nhất.',
  'ID must not be empty.': 'Mã phần tử không được để trống.',
  'ID must not contain spaces.': 'Mã phần tử không được có dấu cách.',
  'ID must be a valid QName.': 'Mã phần tử phải là QName hợp lệ.',
  'Start event': 'Sự kiện bắt đầu',
  'End event': 'Sự kiện kết thúc',
  Task: 'Bước',
  'User task': 'Bước người xử lý',
  'Service task': 'Bước dịch vụ',
  'Script task': 'Bước kịch bản',
  'Business rule task': 'Bước quy tắc nghiệp vụ',
  'Call activity': 'Gọi quy trình',
  'Exclusive gateway': 'Cổng rẽ nhánh',
  'Parallel gateway': 'Cổng song song',
  'Sequence flow': 'Luồng',
  Lane: 'Làn',
  'Boundary event': 'Sự kiện biên',
  'Timer boundary event': 'Hẹn giờ trên biên',
};

function translateFactory(config) {
  const table = config.language === 'en' ? {} : VI;
  return function translate(template, replacements) {
    const text = table[template] || template;
    return text.replace(/{([^}]+)}/g, (all, key) => (replacements && key in replacements ? replacements[key] : all));
  };
}
translateFactory.$inject = ['awardflowConfig'];

export default { translate: ['factory', translateFactory] };
