#include "sql/ast.h"

namespace dbarch::sql {

bool IsQueryOrDml(const Node* node) {
  if (node == nullptr) return false;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
    case PG_QUERY__NODE__NODE_MERGE_STMT:
      return true;
    default:
      return false;
  }
}

std::string_view StrVal(const Node* node) {
  if (node == nullptr) return {};
  if (node->node_case == PG_QUERY__NODE__NODE_STRING && node->string->sval != nullptr) {
    return node->string->sval;
  }
  if (node->node_case == PG_QUERY__NODE__NODE_A_CONST &&
      node->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
    return node->a_const->sval->sval;
  }
  return {};
}

std::vector<std::string> StrList(Node* const* items, size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (const Node* item : Nodes(n, items)) out.emplace_back(StrVal(item));
  return out;
}

int IntVal(const Node* node, int fallback) {
  if (node == nullptr) return fallback;
  if (node->node_case == PG_QUERY__NODE__NODE_INTEGER) return node->integer->ival;
  if (node->node_case == PG_QUERY__NODE__NODE_A_CONST &&
      node->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
    return node->a_const->ival->ival;
  }
  return fallback;
}

namespace internal {

const ProtobufCFieldDescriptor* ActiveNodeField(const Node* node) {
  if (node->node_case == PG_QUERY__NODE__NODE__NOT_SET) return nullptr;
  return protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor,
                                                 static_cast<unsigned>(node->node_case));
}

}  // namespace internal

int NodeLocation(const Node* node) {
  if (node == nullptr) return -1;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_A_EXPR: return node->a_expr->location;
    case PG_QUERY__NODE__NODE_COLUMN_REF: return node->column_ref->location;
    case PG_QUERY__NODE__NODE_A_CONST: return node->a_const->location;
    case PG_QUERY__NODE__NODE_FUNC_CALL: return node->func_call->location;
    case PG_QUERY__NODE__NODE_TYPE_CAST: return node->type_cast->location;
    case PG_QUERY__NODE__NODE_BOOL_EXPR: return node->bool_expr->location;
    case PG_QUERY__NODE__NODE_NULL_TEST: return node->null_test->location;
    case PG_QUERY__NODE__NODE_SUB_LINK: return node->sub_link->location;
    case PG_QUERY__NODE__NODE_CONSTRAINT: return node->constraint->location;
    case PG_QUERY__NODE__NODE_COLUMN_DEF: return node->column_def->location;
    case PG_QUERY__NODE__NODE_RANGE_VAR: return node->range_var->location;
    case PG_QUERY__NODE__NODE_RES_TARGET: return node->res_target->location;
    case PG_QUERY__NODE__NODE_CASE_EXPR: return node->case_expr->location;
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: return node->a_array_expr->location;
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: return node->sqlvalue_function->location;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR: return node->coalesce_expr->location;
    case PG_QUERY__NODE__NODE_TYPE_NAME: return node->type_name->location;
    default: return -1;
  }
}

}  // namespace dbarch::sql
