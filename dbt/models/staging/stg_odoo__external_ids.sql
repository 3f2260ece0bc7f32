with

source as (
    select * from {{ source('raw_odoo', 'ir_model_data') }}
),

renamed as (
    select
        id as odoo_external_id_id,
        module || '.' || name as external_id,
        module,
        name as external_name,
        model as odoo_model,
        res_id as odoo_record_id
    from source
),

final as (
    select * from renamed
)

select * from final
