<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnomaliesPage</name>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="82"/>
        <source>Overdue leg</source>
        <translation>路段超时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="83"/>
        <source>Skipped point</source>
        <translation>跳过检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="84"/>
        <source>Wrong point</source>
        <translation>错误检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="85"/>
        <source>Expired inside</source>
        <translation>过期未出城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="86"/>
        <source>Repeated STOP</source>
        <translation>多次拦截</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="87"/>
        <source>Possible clone</source>
        <translation>疑似复制通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="102"/>
        <source>Entered the city: not at the enterprise within {minutes} minutes</source>
        <translation>已入城 超过 {minutes} 分钟未到达企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="105"/>
        <source>At the enterprise: not at its next point within {minutes} minutes</source>
        <translation>已到达企业 超过 {minutes} 分钟未到下一检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="108"/>
        <source>At the isolation point: not out of the city within {minutes} minutes</source>
        <translation>已到隔离点 超过 {minutes} 分钟未出城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="112"/>
        <source>{count} STOP verdicts for one vehicle in a day</source>
        <translation>同一车辆当日 {count} 次拦截</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="115"/>
        <source>The pass expired while the truck was inside the loop</source>
        <translation>车辆尚未出城，通行证已过期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="120"/>
        <source>Not yet handled</source>
        <translation>未处理</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="121"/>
        <source>Handled</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="122"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="317"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="319"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="321"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="322"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="323"/>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="324"/>
        <source>Pass serial</source>
        <translation>通行证编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="325"/>
        <source>Handled by</source>
        <translation>处理人</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="327"/>
        <source>Handled at</source>
        <translation>处理时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="330"/>
        <location filename="../../ui/pages/anomalies.py" line="582"/>
        <source>Note</source>
        <translation>处理说明</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="337"/>
        <source>Anomalies</source>
        <translation>异常事件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="339"/>
        <source>Plate or pass serial…</source>
        <translation>车牌或通行证编号…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="359"/>
        <source>Open trace</source>
        <translation>查看轨迹</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="362"/>
        <source>Acknowledge…</source>
        <translation>确认处理…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="376"/>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="394"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="396"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="475"/>
        <source>Searching…</source>
        <translation>正在查询…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="484"/>
        <source>Search failed: {reason}</source>
        <translation>查询失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="567"/>
        <source>Acknowledged: {kind} {plate}</source>
        <translation>已确认处理：{kind} {plate}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="574"/>
        <source>Acknowledge anomaly</source>
        <translation>确认处理异常</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="579"/>
        <source>Anomaly</source>
        <translation>异常</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="583"/>
        <source>What was done, e.g. called the driver; truck now at the site</source>
        <translation>处理情况，例如：已电话联系司机，车辆已到达企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/anomalies.py" line="586"/>
        <source>Acknowledge</source>
        <translation>确认处理</translation>
    </message>
</context>
<context>
    <name>ApplicationsPage</name>
    <message>
        <location filename="../../ui/pages/applications.py" line="42"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="43"/>
        <source>Waiting for review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="44"/>
        <source>Approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="45"/>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="46"/>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="68"/>
        <source>Filed</source>
        <translation>报备时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="69"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="70"/>
        <source>Plate</source>
        <translation>车牌号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="71"/>
        <location filename="../../ui/pages/applications.py" line="148"/>
        <source>Driver</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="72"/>
        <location filename="../../ui/pages/applications.py" line="157"/>
        <source>Origin</source>
        <translation>始发地</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="73"/>
        <source>Risk</source>
        <translation>风险</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="75"/>
        <location filename="../../ui/pages/applications.py" line="175"/>
        <source>Planned arrival</source>
        <translation>计划到达</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="79"/>
        <location filename="../../ui/pages/applications.py" line="168"/>
        <source>Cargo</source>
        <translation>货物</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="80"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="84"/>
        <source>Applications</source>
        <translation>报备申请</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="87"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="92"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="93"/>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="94"/>
        <source>Withdraw</source>
        <translation>撤回</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="95"/>
        <source>Download template…</source>
        <translation>下载模板…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="96"/>
        <source>Import file…</source>
        <translation>批量导入…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="97"/>
        <source>New application…</source>
        <translation>新建报备…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="108"/>
        <source>Pass {serial}</source>
        <translation>通行证 {serial}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="141"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="146"/>
        <source>{name} (…{phone})</source>
        <translation>{name}（{phone}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="151"/>
        <source>Co-driver</source>
        <translation>副驾驶</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="152"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="160"/>
        <source>{region} ({risk})</source>
        <translation>{region}（{risk}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="168"/>
        <source>e.g. electronic parts</source>
        <translation>如 电子元件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="178"/>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="183"/>
        <source>Valid for</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="200"/>
        <source>New application</source>
        <translation>新建报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="202"/>
        <source>Submit for review</source>
        <translation>提交审核</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="205"/>
        <source>Save as draft</source>
        <translation>存为草稿</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="232"/>
        <source>Only drafts and applications waiting for review can be changed.</source>
        <translation>只有草稿和待审核的申请可以修改。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="235"/>
        <source>Edit application</source>
        <translation>修改报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="254"/>
        <source>Withdraw the application for {plate}?</source>
        <translation>确定撤回 {plate} 的报备申请吗？</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="265"/>
        <source>Save template</source>
        <translation>保存模板</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="265"/>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel 文件 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="273"/>
        <source>Import applications</source>
        <translation>导入报备申请</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="273"/>
        <source>Spreadsheets (*.xlsx *.csv)</source>
        <translation>表格文件 (*.xlsx *.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="288"/>
        <source>{count} applications were filed and sent for review.</source>
        <translation>{count} 份申请已提交审核。</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../ui/pages/audit.py" line="74"/>
        <source>Sign-ins</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="76"/>
        <source>Signed in</source>
        <translation>登录成功</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="77"/>
        <source>Sign-in failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="78"/>
        <source>Sign-in while locked</source>
        <translation>锁定期间尝试登录</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="79"/>
        <source>Sign-in as an unknown user</source>
        <translation>未知用户名尝试登录</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="84"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="86"/>
        <source>Account created</source>
        <translation>创建账户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="87"/>
        <source>Account enabled or disabled</source>
        <translation>启用或停用账户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="88"/>
        <source>Password changed</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="93"/>
        <source>Enterprises</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="95"/>
        <source>Enterprise added</source>
        <translation>新增企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="96"/>
        <source>Enterprise changed</source>
        <translation>修改企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="97"/>
        <source>Whitelist changed</source>
        <translation>调整保供白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="102"/>
        <source>Checkpoints</source>
        <translation>点位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="104"/>
        <source>Checkpoint added</source>
        <translation>新增点位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="105"/>
        <source>Checkpoint opened or closed</source>
        <translation>启用或停用点位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="110"/>
        <source>Risk regions</source>
        <translation>风险地区</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="112"/>
        <source>Risk region added</source>
        <translation>新增风险地区</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="113"/>
        <source>Risk level changed</source>
        <translation>调整风险等级</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="118"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="120"/>
        <source>Vehicle registered</source>
        <translation>登记车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="121"/>
        <source>Vehicle changed</source>
        <translation>修改车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="126"/>
        <source>Drivers</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="128"/>
        <source>Driver registered</source>
        <translation>登记驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="129"/>
        <source>Driver changed</source>
        <translation>修改驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="130"/>
        <source>Full ID number shown</source>
        <translation>查看完整身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="135"/>
        <source>Applications</source>
        <translation>报备申请</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="137"/>
        <source>Application added</source>
        <translation>新增报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="138"/>
        <source>Application filed</source>
        <translation>填报报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="139"/>
        <source>Applications imported</source>
        <translation>导入报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="140"/>
        <source>Application changed</source>
        <translation>修改报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="141"/>
        <source>Application submitted</source>
        <translation>提交报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="142"/>
        <source>Application withdrawn</source>
        <translation>撤回报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="143"/>
        <source>Application approved</source>
        <translation>批准报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="144"/>
        <source>Application rejected</source>
        <translation>驳回报备</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="149"/>
        <source>Passes</source>
        <translation>通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="151"/>
        <source>Pass issued</source>
        <translation>签发通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="152"/>
        <source>Pass saved or printed</source>
        <translation>保存或打印通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="153"/>
        <source>Pass revoked</source>
        <translation>撤销通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="154"/>
        <source>Passes expired</source>
        <translation>通行证到期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="159"/>
        <source>Issuing keys</source>
        <translation>签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="161"/>
        <source>Issuing key created</source>
        <translation>创建签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="162"/>
        <source>Issuing key rotated</source>
        <translation>轮换签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="163"/>
        <source>Issuing key withdrawn</source>
        <translation>吊销签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="168"/>
        <source>Scans</source>
        <translation>扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="170"/>
        <source>Pass scanned</source>
        <translation>扫码核验</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="171"/>
        <source>Verdict overridden</source>
        <translation>人工改判</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="172"/>
        <source>Plate did not match</source>
        <translation>车牌不符</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="177"/>
        <source>Text messages</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="179"/>
        <source>Text sent</source>
        <translation>短信已发送</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="180"/>
        <source>Text failed</source>
        <translation>短信发送失败</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="181"/>
        <source>Text queued again</source>
        <translation>短信重新排队</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="186"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="187"/>
        <source>Setting changed</source>
        <translation>修改设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="191"/>
        <source>Traces</source>
        <translation>追溯</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="192"/>
        <source>Driver traced</source>
        <translation>追溯驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="196"/>
        <source>Anomalies</source>
        <translation>异常事件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="197"/>
        <source>Anomaly acknowledged</source>
        <translation>确认异常</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="201"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="202"/>
        <source>Report exported</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="206"/>
        <location filename="../../ui/pages/audit.py" line="409"/>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="207"/>
        <source>Audit log exported</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="211"/>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="213"/>
        <source>Backup made</source>
        <translation>完成备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="214"/>
        <source>Backup failed</source>
        <translation>备份失败</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="215"/>
        <source>Backup restored</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="220"/>
        <source>Data retention</source>
        <translation>数据保留</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="221"/>
        <source>Personal data removed</source>
        <translation>清除个人信息</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="225"/>
        <source>Demo data</source>
        <translation>演示数据</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="226"/>
        <source>Demo data created</source>
        <translation>生成演示数据</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="232"/>
        <source>account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="233"/>
        <source>enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="234"/>
        <location filename="../../ui/pages/audit.py" line="297"/>
        <source>checkpoint</source>
        <translation>点位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="235"/>
        <source>risk region</source>
        <translation>风险地区</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="236"/>
        <source>vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="237"/>
        <source>driver</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="238"/>
        <source>application</source>
        <translation>报备申请</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="239"/>
        <location filename="../../ui/pages/audit.py" line="300"/>
        <source>pass</source>
        <translation>通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="240"/>
        <source>issuing key</source>
        <translation>签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="241"/>
        <source>scan</source>
        <translation>扫码记录</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="242"/>
        <source>text message</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="243"/>
        <location filename="../../ui/pages/audit.py" line="315"/>
        <source>setting</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="244"/>
        <source>anomaly</source>
        <translation>异常事件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="245"/>
        <source>report</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="246"/>
        <source>audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="247"/>
        <source>backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="248"/>
        <source>database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="252"/>
        <source>an entry is missing or out of order</source>
        <translation>有条目缺失或顺序错乱</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="253"/>
        <source>it does not link to the entry before it (an entry was inserted, replaced or moved)</source>
        <translation>与前一条的链接断开（有条目被插入、替换或调换）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="257"/>
        <source>it was changed after it was written</source>
        <translation>该条写入后被改动</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="258"/>
        <source>the log is not the one that was signed: it was rewritten from here on</source>
        <translation>日志与签名时不一致：自此条起被改写</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="261"/>
        <source>signed entries are missing from here on: the end of the log was cut off</source>
        <translation>自此条起已签名的条目缺失：日志尾部被截断</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="264"/>
        <source>the signature of the head signed here is forged</source>
        <translation>此处链头的签名是伪造的</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="267"/>
        <source>two signed heads disagree about this entry</source>
        <translation>两个签名链头对此条说法不一</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="298"/>
        <source>reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="299"/>
        <source>plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="301"/>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="302"/>
        <source>route</source>
        <translation>路线</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="303"/>
        <source>signing key</source>
        <translation>签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="304"/>
        <source>code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="305"/>
        <source>count</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="306"/>
        <source>role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="307"/>
        <source>risk level</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="308"/>
        <source>fingerprint of the text</source>
        <translation>文本指纹</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="309"/>
        <source>standing in</source>
        <translation>代班</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="310"/>
        <source>on the list</source>
        <translation>白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="311"/>
        <source>active</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="312"/>
        <source>note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="313"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="314"/>
        <source>entries</source>
        <translation>条目数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="316"/>
        <source>was</source>
        <translation>原值</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="317"/>
        <source>now</source>
        <translation>新值</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="318"/>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="397"/>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="398"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="399"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="400"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="401"/>
        <source>Record</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="402"/>
        <source>Record id</source>
        <translation>对象编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="404"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="411"/>
        <source>User, action code, record id or #number…</source>
        <translation>用户、操作代码、编号或 #序号…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="430"/>
        <source>Details…</source>
        <translation>详情…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="431"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="454"/>
        <source>All actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="467"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="485"/>
        <source>A&amp;ction:</source>
        <translation>操作(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="486"/>
        <source>&amp;User:</source>
        <translation>用户(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="487"/>
        <source>&amp;From:</source>
        <translation>从(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="488"/>
        <source>&amp;To:</source>
        <translation>至(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="548"/>
        <source>No. {seq} · {time}
User: {actor}
Action: {action} ({code})
Record: {entity} {entity_id}

Details:
{details}

Hash: {hash}
Previous hash: {prev_hash}</source>
        <translation>第 {seq} 条 · {time}
用户：{actor}
操作：{action}（{code}）
对象：{entity} {entity_id}

详情：
{details}

哈希：{hash}
前一条哈希：{prev_hash}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="572"/>
        <source>Verify audit chain</source>
        <translation>验证审计链</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="577"/>
        <source>Recompute every entry&apos;s hash and check the signed heads (Ctrl+Shift+V). The window stays usable meanwhile.</source>
        <translation>重新计算每一条的哈希并核验签名链头（Ctrl+Shift+V），其间窗口照常可用。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="424"/>
        <location filename="../../ui/pages/audit.py" line="584"/>
        <source>%v of %m entries</source>
        <translation>%v / %m 条</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="671"/>
        <source>The audit chain could not be read: {reason}</source>
        <translation>无法读取审计链：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="684"/>
        <source>The audit chain is broken at entry {seq}: {problem}</source>
        <translation>审计链在第 {seq} 条被破坏：{problem}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="690"/>
        <source>Keep the database file and its key folder as they are, and tell the administrator.</source>
        <translation>请保持数据库文件及其密钥目录原样，并通知管理员。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="697"/>
        <source>Audit chain intact: {entries} entries, signed through entry {signed}, {tail} after it unsigned.</source>
        <translation>审计链完整：{entries} 条，已签名至第 {signed} 条，其后 {tail} 条未签名。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="705"/>
        <source>Audit chain intact: {entries} entries, none signed yet.</source>
        <translation>审计链完整：{entries} 条，尚无签名。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="710"/>
        <source>This computer has no log key: the signatures were not checked.</source>
        <translation>本机没有日志密钥，签名未核验。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="714"/>
        <source>Show entry {seq}</source>
        <translation>显示第 {seq} 条</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="731"/>
        <source>Export audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="731"/>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="760"/>
        <source>Exporting to {file}…</source>
        <translation>正在导出至 {file}…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="801"/>
        <source>The file could not be written: {reason}</source>
        <translation>无法写入文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/audit.py" line="788"/>
        <source>Exported entries 1–{seq} to {file}; signed head {hash}</source>
        <translation>已导出第 1–{seq} 条至 {file}；签名链头 {hash}</translation>
    </message>
</context>
<context>
    <name>BackupPage</name>
    <message>
        <location filename="../../ui/pages/backup.py" line="181"/>
        <source>Backup and restore</source>
        <translation>备份与恢复</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="209"/>
        <source>Each backup is checked (database integrity and audit chain) before it is kept; only then are the oldest removed. Folder: {folder}</source>
        <translation>每份备份在保留前都经过检查（数据库完整性和审计链），通过后才删除最旧的备份。备份文件夹：{folder}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="215"/>
        <source>Backups do not contain the private issuing keys. Back up the key folder {keys} separately and keep it safe.</source>
        <translation>备份不包含签发私钥。请另行备份密钥文件夹 {keys}，并妥善保管。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="226"/>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="229"/>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="232"/>
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="252"/>
        <source>Taken at</source>
        <translation>备份时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="252"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="252"/>
        <source>Audit entries</source>
        <translation>审计记录数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="252"/>
        <source>Check</source>
        <translation>检查结果</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="296"/>
        <source>Passed when made</source>
        <translation>创建时已通过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="298"/>
        <source>Passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="299"/>
        <source>Failed: {problem}</source>
        <translation>未通过：{problem}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="323"/>
        <source>A backup is already running.</source>
        <translation>已有备份正在进行。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="325"/>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="332"/>
        <source>Backup saved: {name} ({size}, {entries} audit entries).</source>
        <translation>备份已保存：{name}（{size}，{entries} 条审计记录）。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="342"/>
        <source>The copy failed its check ({problem}): it was not kept, and no older backup was removed. The database may be damaged.</source>
        <translation>副本未通过检查（{problem}）：未保留该副本，也未删除任何旧备份。数据库可能已损坏。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="371"/>
        <source>Checking the backup taken at {time}…</source>
        <translation>正在检查 {time} 的备份…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="390"/>
        <source>The backup passed: {entries} audit entries.</source>
        <translation>备份检查通过：{entries} 条审计记录。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="397"/>
        <source>The backup FAILED its check ({problem}). Do not restore it.</source>
        <translation>备份未通过检查（{problem}），请勿恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="420"/>
        <source>Wait until the running backup has finished.</source>
        <translation>请等待正在进行的备份完成。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="424"/>
        <source>Restore the backup taken at {time}?

The database is replaced by this backup: whatever was recorded after {time} will no longer be in it. The current file is kept aside (named …broken-…).

LoopPass closes and starts again afterwards.</source>
        <translation>恢复 {time} 的备份？

数据库将被此备份替换：{time} 之后记录的一切都将不在数据库中。当前文件会保留在旁边（文件名含 …broken-…）。

完成后 LoopPass 将关闭并重新启动。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="429"/>
        <source>Restore backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/backup.py" line="439"/>
        <source>Restored. LoopPass starts again…</source>
        <translation>已恢复。LoopPass 正在重新启动…</translation>
    </message>
</context>
<context>
    <name>CheckpointsPage</name>
    <message>
        <location filename="../../ui/pages/registry.py" line="108"/>
        <location filename="../../ui/pages/registry.py" line="126"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="109"/>
        <location filename="../../ui/pages/registry.py" line="127"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="110"/>
        <location filename="../../ui/pages/registry.py" line="130"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="111"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="111"/>
        <source>Open</source>
        <translation>开放</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="111"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="117"/>
        <source>Checkpoints</source>
        <translation>点位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="119"/>
        <source>Open / close</source>
        <translation>开放 / 关闭</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="120"/>
        <source>Add gate or isolation point…</source>
        <translation>新增卡口或隔离点…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="125"/>
        <source>Add checkpoint</source>
        <translation>新增点位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="126"/>
        <source>e.g. G06</source>
        <translation>如 G06</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="69"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="70"/>
        <source>h</source>
        <translation>小时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="71"/>
        <source>days</source>
        <translation>天</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="228"/>
        <source>Dashboard</source>
        <translation>监管看板</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="240"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="248"/>
        <source>Trucks inside the loop</source>
        <translation>在途车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="249"/>
        <source>Scans today</source>
        <translation>今日扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="250"/>
        <source>STOP verdicts today</source>
        <translation>今日拦截</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="251"/>
        <source>Waiting for review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="252"/>
        <source>Average time to a decision</source>
        <translation>平均审核用时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="260"/>
        <source>No entries or exits yet today</source>
        <translation>今日暂无出入城记录</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="262"/>
        <source>Entries and exits per gate today</source>
        <translation>今日各卡口出入城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="263"/>
        <source>Gate</source>
        <translation>卡口</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="264"/>
        <location filename="../../ui/pages/dashboard.py" line="271"/>
        <source>Trucks</source>
        <translation>车次</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="269"/>
        <source>Entries and exits per hour today</source>
        <translation>今日每小时出入城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="270"/>
        <source>Hour</source>
        <translation>时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="295"/>
        <source>Open anomalies (last 7 days)</source>
        <translation>未处理异常（近 7 天）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="312"/>
        <source>Open the list of these anomalies</source>
        <translation>打开此类异常的列表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="326"/>
        <source>Click a kind to see its list.</source>
        <translation>点击类型查看异常列表。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="333"/>
        <source>All anomalies…</source>
        <translation>全部异常…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="396"/>
        <source>Refresh failed: {reason}</source>
        <translation>更新失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="405"/>
        <source>entered {entered} · arrived {arrived} · isolating {isolated}</source>
        <translation>已入城 {entered} · 已到达 {arrived} · 隔离中 {isolated}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="415"/>
        <source>entries {entries} · exits {exits}</source>
        <translation>入城 {entries} · 出城 {exits}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="420"/>
        <source>{share:.0%} of today&apos;s scans</source>
        <translation>占今日扫码 {share:.0%}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="425"/>
        <source>no decisions in the last 7 days</source>
        <translation>近 7 天无审核</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="429"/>
        <source>filing to decision, last 7 days</source>
        <translation>报备至审核，近 7 天</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="435"/>
        <source>Updated at {time}</source>
        <translation>更新于 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="443"/>
        <source>queue empty</source>
        <translation>队列为空</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="446"/>
        <source>oldest waiting {duration}</source>
        <translation>最早已等 {duration}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="470"/>
        <source>Entries</source>
        <translation>入城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/dashboard.py" line="470"/>
        <source>Exits</source>
        <translation>出城</translation>
    </message>
</context>
<context>
    <name>DriversPage</name>
    <message>
        <location filename="../../ui/pages/fleet.py" line="96"/>
        <location filename="../../ui/pages/fleet.py" line="113"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="97"/>
        <location filename="../../ui/pages/fleet.py" line="121"/>
        <location filename="../../ui/pages/fleet.py" line="155"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="98"/>
        <location filename="../../ui/pages/fleet.py" line="124"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="99"/>
        <source>Registered</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="102"/>
        <source>Drivers</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="103"/>
        <source>Name, or full mobile / ID number…</source>
        <translation>姓名，或完整手机号 / 身份证号…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="105"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="106"/>
        <source>Register driver…</source>
        <translation>登记驾驶员…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="108"/>
        <source>Show full ID number</source>
        <translation>查看完整身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="115"/>
        <source>{masked} — leave empty to keep</source>
        <translation>{masked}（留空则不修改）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="119"/>
        <source>18 characters</source>
        <translation>18 位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="126"/>
        <source>e.g. 138 0013 8000</source>
        <translation>如 138 0013 8000</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="136"/>
        <source>Register driver</source>
        <translation>登记驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="143"/>
        <source>Edit driver</source>
        <translation>编辑驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="156"/>
        <source>{name}: {id_number}
This look-up was recorded in the audit log.</source>
        <translation>{name}：{id_number}
本次查看已记入审计日志。</translation>
    </message>
</context>
<context>
    <name>EnterprisesPage</name>
    <message>
        <location filename="../../ui/pages/registry.py" line="25"/>
        <location filename="../../ui/pages/registry.py" line="49"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="26"/>
        <source>Credit code</source>
        <translation>信用代码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="27"/>
        <location filename="../../ui/pages/registry.py" line="58"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="29"/>
        <location filename="../../ui/pages/registry.py" line="62"/>
        <source>Contact mobile</source>
        <translation>联系人手机</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="32"/>
        <location filename="../../ui/pages/registry.py" line="56"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="34"/>
        <source>Whitelist</source>
        <translation>白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="34"/>
        <source>Supply whitelist</source>
        <translation>保供白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="40"/>
        <source>Enterprises</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="42"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="43"/>
        <source>Whitelist on / off</source>
        <translation>加入 / 移出白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="44"/>
        <source>Register enterprise…</source>
        <translation>登记企业…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="52"/>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="54"/>
        <source>18 characters</source>
        <translation>18 位</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="79"/>
        <source>Register enterprise</source>
        <translation>登记企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="86"/>
        <source>Edit enterprise</source>
        <translation>编辑企业</translation>
    </message>
</context>
<context>
    <name>FirstAdminDialog</name>
    <message>
        <location filename="../../ui/login.py" line="72"/>
        <source>LoopPass — create the administrator</source>
        <translation>闭环通行证 — 创建管理员</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="74"/>
        <source>First start: create the administrator</source>
        <translation>首次启动：请创建管理员账号</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="75"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="76"/>
        <source>Display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="76"/>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="79"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="81"/>
        <source>at least 10 characters</source>
        <translation>至少 10 个字符</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../ui/formatting.py" line="21"/>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/formatting.py" line="22"/>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/formatting.py" line="23"/>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <location filename="../../ui/formatting.py" line="24"/>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
</context>
<context>
    <name>ImportReport</name>
    <message>
        <location filename="../../ui/pages/applications.py" line="300"/>
        <source>Nothing was imported</source>
        <translation>未导入任何数据</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="304"/>
        <source>The file has {count} problem(s). Nothing was saved: correct the file and import it again.</source>
        <translation>文件中有 {count} 处问题，未保存任何数据。请修改文件后重新导入。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="311"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="311"/>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="311"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/pages/applications.py" line="314"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
</context>
<context>
    <name>KeysPage</name>
    <message>
        <location filename="../../ui/pages/outbox.py" line="60"/>
        <source>Key id</source>
        <translation>密钥编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="61"/>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="62"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="63"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="68"/>
        <source>Issuing keys</source>
        <translation>签发密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="69"/>
        <source>Withdraw…</source>
        <translation>吊销…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="70"/>
        <source>Export trust list…</source>
        <translation>导出信任列表…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="71"/>
        <source>Rotate key</source>
        <translation>轮换密钥</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="76"/>
        <source>Withdrawn: its passes are invalid</source>
        <translation>已吊销：其签发的通行证均失效</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="78"/>
        <source>Verifies only</source>
        <translation>仅用于核验</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="79"/>
        <source>Signs new passes</source>
        <translation>签发新通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="84"/>
        <source>Create a new signing key? Passes already issued stay valid.</source>
        <translation>确定创建新的签发密钥吗？已签发的通行证仍然有效。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="96"/>
        <source>Withdraw key {kid}? Every pass it signed will be refused at the checkpoints (KEY_NOT_VALID). This cannot be undone.</source>
        <translation>确定吊销密钥 {kid} 吗？由其签发的所有通行证都将在点位被拦截（KEY_NOT_VALID），且无法恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="109"/>
        <source>Export trust list</source>
        <translation>导出信任列表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="109"/>
        <source>JSON (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
</context>
<context>
    <name>ListPage</name>
    <message>
        <location filename="../../ui/list_page.py" line="48"/>
        <source>Search…</source>
        <translation>搜索…</translation>
    </message>
    <message>
        <location filename="../../ui/list_page.py" line="157"/>
        <source>1 record</source>
        <translation>共 1 条</translation>
    </message>
    <message>
        <location filename="../../ui/list_page.py" line="159"/>
        <source>{count} records</source>
        <translation>共 {count} 条</translation>
    </message>
</context>
<context>
    <name>Login</name>
    <message>
        <location filename="../../ui/login.py" line="31"/>
        <source>LoopPass</source>
        <translation>闭环通行证 LoopPass</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/login.py" line="46"/>
        <source>LoopPass — sign in</source>
        <translation>闭环通行证 — 登录</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="50"/>
        <source>Pre-registration, real-time supervision, tracing</source>
        <translation>事前报备 · 实时监管 · 事后追溯</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="52"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="53"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="54"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="113"/>
        <source>LoopPass</source>
        <translation>闭环通行证 LoopPass</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="140"/>
        <source>Your role has no screens here yet.</source>
        <translation>您的角色暂无可用页面。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="153"/>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="154"/>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="157"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="163"/>
        <location filename="../../ui/main_window.py" line="308"/>
        <source>&amp;Administration</source>
        <translation>管理(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="164"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="170"/>
        <location filename="../../ui/main_window.py" line="315"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="188"/>
        <source>User: {name} ({role})</source>
        <translation>用户：{name}（{role}）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="193"/>
        <source>Database: {path}</source>
        <translation>数据库：{path}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="239"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="240"/>
        <source>The language changes the next time LoopPass starts.</source>
        <translation>语言将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="248"/>
        <source>Disk full: data was not saved. Free disk space, then try again.</source>
        <translation>磁盘已满：数据未保存。请释放磁盘空间后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="285"/>
        <source>Disk space is back: saving works again.</source>
        <translation>磁盘空间已恢复，可以重新保存数据。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="301"/>
        <source>&amp;Backup and restore…</source>
        <translation>备份与恢复(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="362"/>
        <source>Backup saved.</source>
        <translation>备份已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="366"/>
        <source>The backup failed its check and was not kept; see Backup and restore.</source>
        <translation>备份未通过检查，未保留；请查看“备份与恢复”。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="374"/>
        <source>Backup failed: {reason}</source>
        <translation>备份失败：{reason}</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../../ui/messages.py" line="19"/>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="20"/>
        <source>Too long.</source>
        <translation>内容过长。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="21"/>
        <source>Wrong format.</source>
        <translation>格式不正确。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="22"/>
        <source>The check character does not match: please check every character.</source>
        <translation>校验位不符，请逐位核对。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="25"/>
        <source>The birth date is not a real date.</source>
        <translation>出生日期不是有效日期。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="26"/>
        <source>The birth date is in the future.</source>
        <translation>出生日期晚于今天。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="27"/>
        <source>The first two digits are not a province code.</source>
        <translation>前两位不是省级行政区代码。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="30"/>
        <source>The plate must start with a province abbreviation such as 浙.</source>
        <translation>车牌须以省份简称开头，如“浙”。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="33"/>
        <source>Contains a character that is not allowed (invisible characters, emoji).</source>
        <translation>含有不允许的字符（不可见字符、表情符号等）。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="36"/>
        <source>Remove the spaces inside the number.</source>
        <translation>请删除号码中间的空格。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="39"/>
        <source>Plates never use the letters I or O: did you mean 1 or 0?</source>
        <translation>车牌不使用字母 I 和 O，是否应为数字 1 或 0？</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="42"/>
        <source>Not a known plate format. Tick “manual review” if the plate is right.</source>
        <translation>不是已知的号牌格式。如号牌无误，请勾选“人工核验”。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="45"/>
        <location filename="../../ui/messages.py" line="80"/>
        <source>At least 10 characters, and not containing the user name.</source>
        <translation>至少 10 个字符，且不能包含用户名。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="52"/>
        <source>18 characters: 17 digits and a check character (a digit or X).</source>
        <translation>应为 18 位：17 位数字加 1 位校验码（数字或 X）。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="55"/>
        <location filename="../../ui/messages.py" line="56"/>
        <source>An 11-digit mobile number starting with 1.</source>
        <translation>应为以 1 开头的 11 位手机号。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="57"/>
        <source>18 characters: digits and capital letters except I, O, S, V, Z.</source>
        <translation>应为 18 位：数字或大写字母（不含 I、O、S、V、Z）。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="60"/>
        <source>Province, letter, then 5 characters (new energy: 6), e.g. 浙F12345.</source>
        <translation>省份简称 + 字母 + 5 位（新能源 6 位），如 浙F12345。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="63"/>
        <source>2–32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter.</source>
        <translation>以小写字母开头，2–32 位小写字母、数字、“.”、“_”或“-”。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="66"/>
        <source>Letters, digits or &apos;-&apos;, starting with a letter.</source>
        <translation>以字母开头，由字母、数字或“-”组成。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="67"/>
        <source>6 digits: the administrative division code.</source>
        <translation>应为 6 位行政区划代码。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="70"/>
        <source>Already registered.</source>
        <translation>已登记，不能重复登记。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="73"/>
        <source>Your role may not do this.</source>
        <translation>您的角色无权执行此操作。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="74"/>
        <source>The record does not exist.</source>
        <translation>记录不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="75"/>
        <source>The record has changed; refresh and retry.</source>
        <translation>记录已变更，请刷新后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="76"/>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="77"/>
        <source>Too many failed attempts. Try again after {time}.</source>
        <translation>失败次数过多，请于 {time} 之后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="83"/>
        <source>The database is busy. Please try again.</source>
        <translation>数据库繁忙，请重试。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="84"/>
        <source>The database could not be written (disk full?). Nothing was saved.</source>
        <translation>数据库写入失败（磁盘已满？），本次操作未保存。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="87"/>
        <source>Disk full: NOT recorded, nothing was saved. Free disk space, then try again.</source>
        <translation>磁盘已满：未记录，数据未保存。请释放磁盘空间后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="90"/>
        <source>The backup could not be written (disk full? folder not writable?).</source>
        <translation>无法写入备份（磁盘已满？文件夹不可写？）。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="93"/>
        <source>The backup failed its check (damaged file or broken audit chain). Nothing was changed.</source>
        <translation>备份未通过检查（文件损坏或审计链断裂），未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="97"/>
        <source>Another program still has the database open. Close it, then try again.</source>
        <translation>另一个程序仍打开着数据库。请先关闭它，然后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="100"/>
        <source>This database has no backup folder.</source>
        <translation>此数据库没有备份文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="101"/>
        <source>This database was written by a newer LoopPass. Please upgrade LoopPass.</source>
        <translation>该数据库由更新版本的闭环通行证创建，请先升级软件。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="104"/>
        <source>This file is not a LoopPass database, or it is damaged.</source>
        <translation>该文件不是闭环通行证数据库，或已损坏。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="111"/>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="112"/>
        <source>Enterprise clerk</source>
        <translation>企业报备员</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="113"/>
        <source>Reviewer</source>
        <translation>审核员</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="114"/>
        <source>Scan operator</source>
        <translation>扫码员</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="115"/>
        <source>Supervisor</source>
        <translation>监管员</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="117"/>
        <source>City gate</source>
        <translation>卡口</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="118"/>
        <source>Enterprise</source>
        <translation>企业点</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="119"/>
        <source>Isolation point</source>
        <translation>隔离点</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="121"/>
        <source>Low risk</source>
        <translation>低风险</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="122"/>
        <source>Medium risk</source>
        <translation>中风险</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="123"/>
        <source>High risk</source>
        <translation>高风险</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="125"/>
        <source>Ordinary</source>
        <translation>普通</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="126"/>
        <source>New energy (small)</source>
        <translation>新能源（小型）</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="127"/>
        <source>New energy (large)</source>
        <translation>新能源（大型）</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="128"/>
        <source>Trailer</source>
        <translation>挂车</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="129"/>
        <source>Driving school</source>
        <translation>教练车</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="130"/>
        <source>Police</source>
        <translation>警车</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="131"/>
        <source>Hong Kong / Macau</source>
        <translation>港澳</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="132"/>
        <source>Embassy</source>
        <translation>使馆</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="133"/>
        <source>Consulate</source>
        <translation>领馆</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="134"/>
        <source>Needs manual review</source>
        <translation>需人工核验</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="139"/>
        <source>Unknown region code.</source>
        <translation>未知的行政区划代码。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="140"/>
        <source>Already registered by another enterprise.</source>
        <translation>已被其他企业登记。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="143"/>
        <source>This ID number is registered under another name.</source>
        <translation>该身份证号已登记为其他姓名。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="146"/>
        <source>The file has no data rows.</source>
        <translation>文件中没有数据行。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="147"/>
        <source>The file is empty.</source>
        <translation>文件为空。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="148"/>
        <source>Columns missing: {detail}</source>
        <translation>缺少列：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="149"/>
        <source>Too many rows: {detail}.</source>
        <translation>行数过多：{detail}。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="150"/>
        <source>The file does not exist.</source>
        <translation>文件不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="151"/>
        <source>The file is too large: {detail}.</source>
        <translation>文件过大：{detail}。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="152"/>
        <source>Use an .xlsx or .csv file.</source>
        <translation>请使用 .xlsx 或 .csv 文件。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="153"/>
        <source>The Excel file cannot be read.</source>
        <translation>无法读取该 Excel 文件。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="186"/>
        <source>Unexpected error. Details were written to the log.</source>
        <translation>发生意外错误，详情已写入日志。</translation>
    </message>
</context>
<context>
    <name>OutboxPage</name>
    <message>
        <location filename="../../ui/pages/outbox.py" line="21"/>
        <source>Waiting</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="22"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="23"/>
        <source>Failed</source>
        <translation>发送失败</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="34"/>
        <source>Queued</source>
        <translation>排队时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="35"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="36"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="37"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="38"/>
        <source>Text</source>
        <translation>短信内容</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="39"/>
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="42"/>
        <source>SMS outbox</source>
        <translation>短信发件箱</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="43"/>
        <source>Pass serial, or full mobile number…</source>
        <translation>通行证编号，或完整手机号…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/outbox.py" line="44"/>
        <source>Resend</source>
        <translation>重新发送</translation>
    </message>
</context>
<context>
    <name>PassDialog</name>
    <message>
        <location filename="../../ui/pages/passes.py" line="208"/>
        <source>Pass {plate}</source>
        <translation>通行证 {plate}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="224"/>
        <source>Save PDF (A6)…</source>
        <translation>保存 PDF（A6）…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="226"/>
        <source>Save PDF (A4)…</source>
        <translation>保存 PDF（A4）…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="228"/>
        <source>Save QR image…</source>
        <translation>保存二维码图片…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="234"/>
        <source>Only an open pass can be saved or printed.</source>
        <translation>只有未闭环的通行证可以保存或打印。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="267"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="269"/>
        <source>Risk</source>
        <translation>风险</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="271"/>
        <source>{start} to {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="274"/>
        <source>Valid</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="275"/>
        <source>Issued at</source>
        <translation>签发时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="276"/>
        <source>Driver</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="277"/>
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="280"/>
        <source>Route</source>
        <translation>路线</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="283"/>
        <source>Revoked {time}: {reason}</source>
        <translation>已于 {time} 撤销：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="315"/>
        <source>{gate} (in)</source>
        <translation>{gate}（入）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="315"/>
        <source>{gate} (out)</source>
        <translation>{gate}（出）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="332"/>
        <source>Save pass as PDF</source>
        <translation>将通行证保存为 PDF</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="334"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="343"/>
        <source>Save QR image</source>
        <translation>保存二维码图片</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="345"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="359"/>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="370"/>
        <source>The pass cannot be drawn: the Chinese font (Noto Sans CJK) is not installed. Install the package fonts-noto-cjk.</source>
        <translation>无法生成通行证：未安装中文字体（Noto Sans CJK）。请安装 fonts-noto-cjk 软件包。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="376"/>
        <source>{path} could not be written: {reason}</source>
        <translation>无法写入 {path}：{reason}</translation>
    </message>
</context>
<context>
    <name>PassesPage</name>
    <message>
        <location filename="../../ui/pages/passes.py" line="47"/>
        <source>Issued</source>
        <translation>已签发</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="48"/>
        <source>Entered the city</source>
        <translation>已入城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="49"/>
        <source>At the enterprise</source>
        <translation>已到达企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="50"/>
        <source>At the isolation point</source>
        <translation>已到隔离点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="51"/>
        <source>Left the city</source>
        <translation>已出城</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="52"/>
        <source>Revoked</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="53"/>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="95"/>
        <source>Serial</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="96"/>
        <source>Plate</source>
        <translation>车牌号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="98"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="104"/>
        <source>Risk</source>
        <translation>风险</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="108"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="109"/>
        <source>Issued at</source>
        <translation>签发时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="111"/>
        <source>Passes</source>
        <translation>通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="112"/>
        <source>Plate or serial…</source>
        <translation>车牌号或编号…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="117"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="118"/>
        <source>Open (not yet closed)</source>
        <translation>未闭环</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="125"/>
        <source>Show pass…</source>
        <translation>查看通行证…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="128"/>
        <source>Revoke…</source>
        <translation>撤销…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="163"/>
        <source>Revoke pass</source>
        <translation>撤销通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="166"/>
        <source>Revoke the pass of {plate} ({serial})? Every checkpoint will then stop the truck. This cannot be undone.</source>
        <translation>确定撤销 {plate} 的通行证（{serial}）吗？撤销后各点位将拦截该车辆，且无法恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="174"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="175"/>
        <source>e.g. trip cancelled by the enterprise</source>
        <translation>如 企业取消行程</translation>
    </message>
    <message>
        <location filename="../../ui/pages/passes.py" line="177"/>
        <source>Revoke</source>
        <translation>撤销</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../ui/pages/reports.py" line="76"/>
        <source>Daily report</source>
        <translation>日报</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="84"/>
        <source>Show report</source>
        <translation>生成报表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="91"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="93"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="98"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="99"/>
        <source>Export Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="100"/>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="148"/>
        <source>Completion rate %1 (%2 exited of %3 closed), %4 still open; %5 scans, %6 RED.</source>
        <translation>闭环完成率 %1（已结束 %3 张中已出城 %2 张），仍在途 %4 张；扫码 %5 次，拦截 %6 次。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="193"/>
        <source>Export report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/reports.py" line="211"/>
        <source>Saved: %1</source>
        <translation>已保存：%1</translation>
    </message>
</context>
<context>
    <name>ReviewQueuePage</name>
    <message>
        <location filename="../../ui/pages/review.py" line="60"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="61"/>
        <source>Waiting for review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="62"/>
        <source>Approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="63"/>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="64"/>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="74"/>
        <source>Another reviewer has already decided this application. The queue has been refreshed.</source>
        <translation>该申请已由其他审核员处理，审核队列已刷新。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="147"/>
        <source>Filed</source>
        <translation>报备时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="148"/>
        <source>Plate</source>
        <translation>车牌号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="149"/>
        <source>Driver</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="150"/>
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="152"/>
        <source>Whitelist</source>
        <translation>白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="153"/>
        <source>Supply whitelist</source>
        <translation>保供白名单</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="155"/>
        <source>Origin</source>
        <translation>始发地</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="157"/>
        <source>Risk</source>
        <translation>风险</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="161"/>
        <source>Planned arrival</source>
        <translation>计划到达</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="162"/>
        <source>Cargo</source>
        <translation>货物</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="164"/>
        <source>Review queue</source>
        <translation>审核队列</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="165"/>
        <source>Plate, driver or enterprise…</source>
        <translation>车牌、驾驶员或企业…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="167"/>
        <source>Risk origin only</source>
        <translation>仅看风险地区来车</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="169"/>
        <source>Only applications from medium- or high-risk regions</source>
        <translation>仅显示来自中、高风险地区的申请</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="182"/>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="184"/>
        <source>Approve selected</source>
        <translation>批量通过所选</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="186"/>
        <source>Approve</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="242"/>
        <source>Earlier trips</source>
        <translation>历史行程</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="278"/>
        <source>Same vehicle</source>
        <translation>同一车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="279"/>
        <source>Same driver</source>
        <translation>同一驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="281"/>
        <source>{count} applications selected.</source>
        <translation>已选择 {count} 份申请。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="283"/>
        <source>Select an application to see its vehicle&apos;s and driver&apos;s trips.</source>
        <translation>选择一份申请，查看该车辆和驾驶员的历史行程。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="289"/>
        <source>{enterprise}
From {origin}, carrying {cargo}</source>
        <translation>{enterprise}
来自{origin}，运载{cargo}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="293"/>
        <source>Same vehicle ({plate})</source>
        <translation>同一车辆（{plate}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="294"/>
        <source>Same driver ({name})</source>
        <translation>同一驾驶员（{name}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="330"/>
        <source>No other trips</source>
        <translation>无其他行程</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="332"/>
        <source>… and {count} more</source>
        <translation>……另有 {count} 条</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="360"/>
        <source>Approved {plate}: pass {serial}</source>
        <translation>已通过 {plate}：通行证 {serial}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="376"/>
        <source>Approved {count} applications.</source>
        <translation>已通过 {count} 份申请。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="380"/>
        <source>{plate}: {reason}</source>
        <translation>{plate}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="389"/>
        <source>{issued} approved, {refused} not approved:</source>
        <translation>{issued} 份已通过，{refused} 份未通过：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="398"/>
        <source>already decided by another reviewer</source>
        <translation>已由其他审核员处理</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="408"/>
        <source>Reject application</source>
        <translation>驳回申请</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="410"/>
        <source>Reject {plate} ({enterprise})? The clerk will see the reason.</source>
        <translation>确定驳回 {plate}（{enterprise}）吗？报备员将看到驳回理由。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="417"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="417"/>
        <source>e.g. cargo does not match the filing</source>
        <translation>如 货物与报备不符</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="419"/>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <location filename="../../ui/pages/review.py" line="436"/>
        <source>Rejected {plate}.</source>
        <translation>已驳回 {plate}。</translation>
    </message>
</context>
<context>
    <name>RiskRegionsPage</name>
    <message>
        <location filename="../../ui/pages/registry.py" line="159"/>
        <location filename="../../ui/pages/registry.py" line="180"/>
        <source>Region code</source>
        <translation>行政区划代码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="160"/>
        <location filename="../../ui/pages/registry.py" line="182"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="161"/>
        <location filename="../../ui/pages/registry.py" line="183"/>
        <location filename="../../ui/pages/registry.py" line="197"/>
        <source>Risk level</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="167"/>
        <source>Risk regions</source>
        <translation>风险地区</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="169"/>
        <source>Change risk level…</source>
        <translation>调整风险等级…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="170"/>
        <source>Add region…</source>
        <translation>新增地区…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="178"/>
        <source>Add risk region</source>
        <translation>新增风险地区</translation>
    </message>
    <message>
        <location filename="../../ui/pages/registry.py" line="180"/>
        <source>6 digits, e.g. 330482</source>
        <translation>6 位数字，如 330482</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/pages/settings.py" line="67"/>
        <source>Pass</source>
        <translation>通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="69"/>
        <source>Leg time limits</source>
        <translation>行程时限</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="78"/>
        <source>Scanning</source>
        <translation>扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="86"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="88"/>
        <source>Data retention</source>
        <translation>数据保留</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="91"/>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="96"/>
        <source>Default validity</source>
        <translation>默认有效期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="97"/>
        <source>City gate → enterprise</source>
        <translation>进城卡口 → 企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="98"/>
        <source>Enterprise → city gate (low risk)</source>
        <translation>企业 → 出城卡口（低风险）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="101"/>
        <source>Enterprise → isolation point</source>
        <translation>企业 → 隔离点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="104"/>
        <source>Isolation point → city gate</source>
        <translation>隔离点 → 出城卡口</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="105"/>
        <source>Repeat window</source>
        <translation>重复扫码窗口</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="106"/>
        <source>Station clock tolerance</source>
        <translation>本站时钟容差</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="107"/>
        <source>Least time between points</source>
        <translation>两点间最短用时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="108"/>
        <source>Repeated RED alert</source>
        <translation>重复拦截告警</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="109"/>
        <source>Gateway URL</source>
        <translation>网关地址</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="110"/>
        <source>Gateway token</source>
        <translation>网关令牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="111"/>
        <source>Keep records for</source>
        <translation>记录保留</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="112"/>
        <source>Sign the audit chain every</source>
        <translation>审计链签名间隔</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="113"/>
        <source>Back up every</source>
        <translation>备份间隔</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="114"/>
        <source>Backups kept</source>
        <translation>保留备份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="119"/>
        <source>How long a new application&apos;s pass is valid, unless the clerk changes it.</source>
        <translation>新报备申请的通行证有效时长（报备员可在申请中修改）。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="122"/>
        <source>The same pass at the same station within this time shows the first verdict again and is not recorded twice.</source>
        <translation>同一通行证在此时间内于同一站点再次被扫到时，显示首次结果，不重复记录。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="127"/>
        <source>A station clock further behind its own last scan gives CHECK (clock skew).</source>
        <translation>本站时钟比本站上次扫码时间落后超过此值时，结果为核查（时钟偏差）。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="131"/>
        <source>The same pass at two points faster than this gives CHECK (possible clone).</source>
        <translation>同一通行证在两个检查点间用时少于此值时，结果为核查（疑似克隆）。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="135"/>
        <source>This many STOP verdicts for one plate in a day raise an anomaly.</source>
        <translation>同一车牌一天内被拦截达到此次数时，记为异常。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="141"/>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="142"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="143"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="144"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="145"/>
        <source> entries</source>
        <translation> 条</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="149"/>
        <source> STOPs a day</source>
        <translation> 次拦截/天</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="150"/>
        <source> copies</source>
        <translation> 份</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="256"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="345"/>
        <source>From {minimum} to {maximum}</source>
        <translation>范围：{minimum} 到 {maximum}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="357"/>
        <source>Set — leave empty to keep it</source>
        <translation>已设置（留空则保持不变）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="357"/>
        <source>Not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="360"/>
        <source>Remove the stored token</source>
        <translation>清除已保存的令牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="372"/>
        <source>This station</source>
        <translation>本站</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="377"/>
        <source>Station id</source>
        <translation>本站编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="381"/>
        <source>Not set (first open checkpoint)</source>
        <translation>未指定（第一个开放的检查点）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="386"/>
        <source>Where a supervisor standing in at this PC starts scanning</source>
        <translation>监管员在本机代班扫码时默认所在的检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="388"/>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="392"/>
        <source>Not set (this PC&apos;s choice)</source>
        <translation>未指定（使用本机的选择）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="394"/>
        <source>Camera {index}</source>
        <translation>摄像头 {index}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="395"/>
        <source>Video file or stream</source>
        <translation>视频文件或视频流</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="398"/>
        <source>rtsp://… or the full path of a video file</source>
        <translation>rtsp://… 或视频文件的完整路径</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="415"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="462"/>
        <source>No setting was changed.</source>
        <translation>设置没有更改。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="476"/>
        <source>Settings saved ({count} changed).</source>
        <translation>设置已保存（{count} 项更改）。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="482"/>
        <source>Enter a whole number from {minimum} to {maximum}.</source>
        <translation>请输入 {minimum} 到 {maximum} 之间的整数。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="487"/>
        <source>Enter an address starting with http:// or https://, without a user name or password.</source>
        <translation>请输入以 http:// 或 https:// 开头的地址，地址中不要含用户名或密码。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="491"/>
        <source>Choose an open checkpoint.</source>
        <translation>请选择一个开放的检查点。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/settings.py" line="497"/>
        <source>Enter a camera number (0–{maximum}), the full path of a video file, or an rtsp:// or http:// address.</source>
        <translation>请输入摄像头编号（0–{maximum}）、视频文件的完整路径，或 rtsp:// / http:// 地址。</translation>
    </message>
</context>
<context>
    <name>StationPage</name>
    <message>
        <location filename="../../ui/pages/station.py" line="99"/>
        <source>PASS</source>
        <translation>放行</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="100"/>
        <source>CHECK</source>
        <translation>核查</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="101"/>
        <source>STOP</source>
        <translation>拦截</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="105"/>
        <source>Valid pass: let the truck through</source>
        <translation>通行证有效，准予通行</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="106"/>
        <source>Station clock is behind: check by hand</source>
        <translation>本站时钟偏慢，请人工核查</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="109"/>
        <source>Seen elsewhere minutes ago: check the truck</source>
        <translation>几分钟前已在别处扫码，请核查车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="112"/>
        <source>Overdue on its route: check the truck</source>
        <translation>行程超时，请核查车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="113"/>
        <source>Check the plate by hand</source>
        <translation>请人工核对车牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="114"/>
        <source>Not a LoopPass pass</source>
        <translation>不是平和码通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="115"/>
        <source>Pass from a newer LoopPass: not accepted here</source>
        <translation>新版系统签发的通行证，本站无法识别</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="118"/>
        <source>Not a LoopPass pass (too long)</source>
        <translation>不是平和码通行证（内容过长）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="119"/>
        <source>Damaged or incomplete code</source>
        <translation>二维码损坏或不完整</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="120"/>
        <location filename="../../ui/pages/station.py" line="122"/>
        <source>Forged or damaged pass</source>
        <translation>伪造或损坏的通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="121"/>
        <source>Signed by an unknown key</source>
        <translation>签发密钥未知</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="123"/>
        <source>Pass not valid yet</source>
        <translation>通行证尚未生效</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="124"/>
        <source>Pass expired</source>
        <translation>通行证已过期</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="125"/>
        <source>Signing key withdrawn: pass not valid</source>
        <translation>签发密钥已吊销，通行证无效</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="128"/>
        <source>Pass revoked</source>
        <translation>通行证已撤销</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="129"/>
        <source>Not on this pass&apos;s route</source>
        <translation>不在该通行证路线上</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="130"/>
        <source>A point of the route was skipped</source>
        <translation>路线中有站点未扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="131"/>
        <source>This point is already done</source>
        <translation>本站点已扫过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="132"/>
        <source>The loop is already closed</source>
        <translation>闭环已完成</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="133"/>
        <source>Plate does not match</source>
        <translation>车牌不符</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="137"/>
        <source>Plate verified by hand</source>
        <translation>已人工核对车牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="140"/>
        <source>Station clock corrected</source>
        <translation>站点时钟已校正</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="141"/>
        <source>Route changed by order</source>
        <translation>已按调度令变更路线</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="144"/>
        <source>Checked: not a cloned pass</source>
        <translation>已核查：非克隆通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="145"/>
        <source>Other (note required)</source>
        <translation>其他（须填写说明）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="147"/>
        <location filename="../../ui/pages/station.py" line="708"/>
        <source>Overridden by a supervisor: {reason}</source>
        <translation>监管员已改判放行：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="417"/>
        <source>Scan station</source>
        <translation>扫码站</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="436"/>
        <source>Scanning for:</source>
        <translation>代扫站点：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="442"/>
        <location filename="../../ui/pages/station.py" line="979"/>
        <source>No camera</source>
        <translation>无摄像头</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="443"/>
        <source>No camera — type or scan with the USB scanner</source>
        <translation>摄像头不可用——请手动输入或用扫码枪扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="454"/>
        <source>Scan with the USB scanner or type the serial</source>
        <translation>用扫码枪扫码或输入编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="457"/>
        <source>Open image…</source>
        <translation>打开图片…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="460"/>
        <source>Camera…</source>
        <translation>摄像头…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="500"/>
        <source>Plate matches (F1)</source>
        <translation>车牌一致 (F1)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="503"/>
        <source>Plate differs (F2)</source>
        <translation>车牌不符 (F2)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="506"/>
        <source>Override…</source>
        <translation>改判…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="535"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="535"/>
        <source>Pass</source>
        <translation>通行证</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="535"/>
        <source>Verdict</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="535"/>
        <location filename="../../ui/pages/station.py" line="658"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="588"/>
        <source>Open pass image</source>
        <translation>打开通行证图片</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="588"/>
        <source>Images (*.png *.jpg *.jpeg *.bmp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.bmp)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="601"/>
        <source>No QR code found in {name}</source>
        <translation>{name} 中未找到二维码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="654"/>
        <source>Override the verdict</source>
        <translation>改判结果</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="661"/>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="661"/>
        <source>Why (required for Other)</source>
        <translation>原因说明（选“其他”时必填）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="691"/>
        <source>Database busy — scan again</source>
        <translation>数据库繁忙——请重新扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="738"/>
        <source>Serial {serial}</source>
        <translation>编号 {serial}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="744"/>
        <source>Driver {name}  {id_number}</source>
        <translation>司机 {name}  {id_number}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="757"/>
        <source>{gate} (in)</source>
        <translation>{gate}（入）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="757"/>
        <source>{gate} (out)</source>
        <translation>{gate}（出）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="765"/>
        <source>next: {point}</source>
        <translation>下一站：{point}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="808"/>
        <source>Ready to scan</source>
        <translation>等待扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="810"/>
        <source>Hold the pass&apos;s QR code up to the camera, or scan it with the USB scanner</source>
        <translation>请将通行证二维码对准摄像头，或用扫码枪扫码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="889"/>
        <source>Starting the camera…</source>
        <translation>正在启动摄像头…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="901"/>
        <source>Camera source</source>
        <translation>摄像头来源</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="904"/>
        <location filename="../../ui/pages/station.py" line="916"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="905"/>
        <location filename="../../ui/pages/station.py" line="917"/>
        <source>Video file</source>
        <translation>视频文件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="906"/>
        <source>Stream URL (RTSP/HTTP)</source>
        <translation>视频流地址（RTSP/HTTP）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="914"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="915"/>
        <source>Camera {index}</source>
        <translation>摄像头 {index}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="918"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="923"/>
        <source>Stream URL</source>
        <translation>视频流地址</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="941"/>
        <source>Open video file</source>
        <translation>打开视频文件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/station.py" line="941"/>
        <source>Videos (*.mp4 *.avi *.mkv *.mov)</source>
        <translation>视频文件 (*.mp4 *.avi *.mkv *.mov)</translation>
    </message>
</context>
<context>
    <name>TracePage</name>
    <message>
        <location filename="../../ui/pages/trace.py" line="55"/>
        <source>Gate (in)</source>
        <translation>卡口（入）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="56"/>
        <location filename="../../ui/pages/trace.py" line="367"/>
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="57"/>
        <source>Isolation point</source>
        <translation>隔离点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="58"/>
        <source>Gate (out)</source>
        <translation>卡口（出）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="61"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="62"/>
        <source>Next</source>
        <translation>下一站</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="63"/>
        <source>Pending</source>
        <translation>待到达</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="64"/>
        <source>Missed</source>
        <translation>未经过</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="66"/>
        <source>any gate</source>
        <translation>任一卡口</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="67"/>
        <source>the isolation point</source>
        <translation>隔离点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="303"/>
        <source>Vehicle trace</source>
        <translation>车辆追溯</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="340"/>
        <source>Plate, pass serial, or driver&apos;s name, phone or ID number</source>
        <translation>车牌、通行证编号，或驾驶员姓名、手机号、身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="346"/>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="360"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="361"/>
        <source>Pass serial</source>
        <translation>通行证编号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="363"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="369"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="372"/>
        <source>Driver</source>
        <translation>驾驶员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="387"/>
        <source>Scans</source>
        <translation>扫码记录</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="391"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="392"/>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="394"/>
        <source>Verdict</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="398"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="399"/>
        <source>Operator</source>
        <translation>扫码员</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="444"/>
        <source>Not found: no pass matches “{query}”. Check the plate, the serial or the driver&apos;s full name, phone or ID number.</source>
        <translation>未找到：没有与“{query}”匹配的通行证。请核对车牌、通行证编号，或驾驶员的完整姓名、手机号、身份证号。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="452"/>
        <source>1 pass found.</source>
        <translation>找到 1 张通行证。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="454"/>
        <source>{count} passes found, newest first.</source>
        <translation>找到 {count} 张通行证，最新的在前。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/trace.py" line="500"/>
        <source>{plate}  ·  {status}  ·  {enterprise}  ·  driver {driver}  ·  {serial}</source>
        <translation>{plate}  ·  {status}  ·  {enterprise}  ·  驾驶员 {driver}  ·  {serial}</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../../ui/pages/users.py" line="24"/>
        <location filename="../../ui/pages/users.py" line="55"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="25"/>
        <location filename="../../ui/pages/users.py" line="56"/>
        <source>Display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="26"/>
        <location filename="../../ui/pages/users.py" line="57"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="27"/>
        <source>Bound to</source>
        <translation>所属</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="29"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="29"/>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="29"/>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="33"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="34"/>
        <source>Enable / disable</source>
        <translation>启用 / 停用</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="35"/>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="36"/>
        <source>New user…</source>
        <translation>新建用户…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="54"/>
        <source>New user</source>
        <translation>新建用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="55"/>
        <source>e.g. gate2</source>
        <translation>如 gate2</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="60"/>
        <source>Enterprise (clerks)</source>
        <translation>所属企业（报备员）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="61"/>
        <location filename="../../ui/pages/users.py" line="66"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="65"/>
        <source>Checkpoint (operators)</source>
        <translation>点位（扫码员）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="68"/>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="92"/>
        <source>Reset password of {name}</source>
        <translation>重置 {name} 的密码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="93"/>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
</context>
<context>
    <name>VehiclesPage</name>
    <message>
        <location filename="../../ui/pages/fleet.py" line="35"/>
        <location filename="../../ui/pages/fleet.py" line="51"/>
        <source>Plate</source>
        <translation>车牌号</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="36"/>
        <source>Plate type</source>
        <translation>号牌类型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="37"/>
        <source>Manual review</source>
        <translation>人工核验</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="37"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="38"/>
        <location filename="../../ui/pages/fleet.py" line="55"/>
        <source>Vehicle</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="39"/>
        <source>Registered</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="42"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="44"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="45"/>
        <source>Register vehicle…</source>
        <translation>登记车辆…</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="51"/>
        <source>e.g. 浙F12345</source>
        <translation>如 浙F12345</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="57"/>
        <source>e.g. heavy box truck</source>
        <translation>如 重型厢式货车</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="61"/>
        <source>Manual review (unusual plate)</source>
        <translation>人工核验（特殊号牌）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="74"/>
        <source>Register vehicle</source>
        <translation>登记车辆</translation>
    </message>
    <message>
        <location filename="../../ui/pages/fleet.py" line="81"/>
        <source>Edit vehicle</source>
        <translation>编辑车辆</translation>
    </message>
</context>
</TS>
